package io.github.sqlitecanary.examples.servers;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deploy cycle on TomEE. */
class TomEEIT extends DeployCycle {

    @Override
    AppServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        return TomEE.boot(container, log, canaryEnvironment);
    }

    @Test
    void databaseOnATmpfsIsAnEphemeralFilesystem() throws Exception {
        deployOntoAnEphemeralDisk();
    }

    /**
     * The deployment fails, and with the application goes its readiness URL (health lives under
     * the application's JAX-RS path): a 404 from Tomcat, not a health answer.
     */
    @Test
    void failStartupKeepsTheApplicationFromDeployingOnAFreshDatabase() throws Exception {
        FailedStart start = failStartupOnAFreshDatabase("Server startup in");
        assertAll(
                () -> assertTrue(start.log().contains("Error deploying web application archive"), "the deployment failed"),
                () -> assertEquals(404, start.readiness().status(), start.readiness()::toString),
                () -> assertFalse(start.readiness().isJson(), start.readiness()::toString));
    }

    @Override
    String directoryName() {
        return "tomee";
    }
}
