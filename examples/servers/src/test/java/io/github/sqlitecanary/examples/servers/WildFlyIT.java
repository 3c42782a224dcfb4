package io.github.sqlitecanary.examples.servers;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deploy cycle on WildFly. */
class WildFlyIT extends DeployCycle {

    @Override
    AppServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        return WildFly.boot(container, log, canaryEnvironment);
    }

    /**
     * The deployment fails and WildFly says so at {@code /health/ready}: its deployments-status
     * (notes.war FAILED) and boot-errors checks are DOWN. The canary's check is there too: the
     * deployment registered it before its start failed.
     */
    @Test
    void failStartupKeepsTheApplicationFromDeployingOnAFreshDatabase() throws Exception {
        FailedStart start = failStartupOnAFreshDatabase("WFLYSRV0025", "WFLYSRV0026");
        Readiness readiness = start.readiness();
        assertAll(
                () -> assertTrue(start.deployment().contains("WFLYSRV0026"), "started with errors: " + start.deployment()),
                () -> assertEquals(503, readiness.status(), readiness::toString),
                () -> assertEquals("FAILED", readiness.check("deployments-status").orElseThrow()
                        .getJsonObject("data").getString("notes.war"), readiness::toString),
                () -> assertEquals("DOWN", readiness.check("boot-errors").orElseThrow().getString("status")),
                () -> assertEquals("FIRST_BOOT", readiness.state()));
    }

    @Override
    String directoryName() {
        return "wildfly";
    }
}
