package io.github.sqlitecanary.examples.servers;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deploy cycle on PayaraServer. */
class PayaraServerIT extends DeployCycle {

    @Override
    AppServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        return PayaraServer.boot(container, log, canaryEnvironment);
    }

    /**
     * The autodeployer's deployment fails (and its one retry, on AWAITING_REDEPLOY, as on GlassFish);
     * {@code /health/ready} answers 503 with Payara's own "No Application deployed" check only.
     */
    @Test
    void failStartupKeepsTheApplicationFromDeployingOnAFreshDatabase() throws Exception {
        FailedStart start = failStartupOnAFreshDatabase(AsadminServer.AUTODEPLOY_OUTCOME);
        Readiness readiness = start.readiness();
        assertAll(
                () -> assertTrue(start.deployment().contains("Autodeploy failed"), start.deployment()),
                () -> assertTrue(start.log().contains("CDI deployment failure:sqlite-persistence-canary FIRST_BOOT: "),
                        "the deployment failed on the canary's verdict"),
                () -> assertEquals(503, readiness.status(), readiness::toString),
                () -> assertEquals(List.of("No Application deployed"),
                        readiness.checks().stream().map(check -> check.getString("name")).toList(), readiness::toString));
    }

    @Override
    String directoryName() {
        return "payara-server";
    }
}
