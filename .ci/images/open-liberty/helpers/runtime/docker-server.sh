#!/bin/sh
# Stand-in for the official image's entrypoint, which (among others) creates a keystore when the
# server asks for TLS and none was given, then runs the command. The example serves plain HTTP
# only (httpsPort="-1"), so the command is run as it is.
exec "$@"
