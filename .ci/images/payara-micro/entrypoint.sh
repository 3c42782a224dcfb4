#!/bin/sh
# As the official payara/micro image starts Payara Micro: the memory settings and JVM_ARGS (split
# on blanks, on purpose) for the JVM, the container's arguments for Payara Micro.
set -e
# shellcheck disable=SC2086
exec java -XX:+UseContainerSupport -XX:MaxRAMPercentage="${MEM_MAX_RAM_PERCENTAGE}" -Xss"${MEM_XSS}" ${JVM_ARGS} \
    -jar payara-micro.jar "$@"
