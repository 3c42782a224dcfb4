package io.github.sqlitecanary.health;

import static io.github.sqlitecanary.health.CanaryContainer.deployAndProbe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.LogCapture;
import io.github.sqlitecanary.cdi.CanaryStartup;
import io.github.sqlitecanary.health.CanaryContainer.Readiness;
import io.github.sqlitecanary.health.CanaryContainer.Settings;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readiness JSON, as a real MicroProfile Health implementation serves it, across deploys. */
class ReadinessCheckTest {

    @TempDir
    Path volume;

    @TempDir
    Path tmp;

    Settings settings() {
        return Settings.properties(Map.of(
                "sqlite.canary.database", volume.resolve("app.db").toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString()));
    }

    void wipeTemporaryDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(tmp.resolve("canary"))) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void readinessGoesFirstBootThenAwaitingRedeployOnRestartThenVerifiedOnRedeploy() throws Exception {
        Readiness firstDeploy = deployAndProbe(settings());
        assertEquals(503, firstDeploy.httpStatus());
        assertEquals("DOWN", firstDeploy.canaryCheck().getString("status"));
        assertEquals("FIRST_BOOT", firstDeploy.state());

        Readiness restart = deployAndProbe(settings());
        assertEquals(503, restart.httpStatus());
        assertEquals("AWAITING_REDEPLOY", restart.state());

        wipeTemporaryDirectory();
        Readiness redeploy = deployAndProbe(settings());
        assertEquals(200, redeploy.httpStatus());
        assertEquals("UP", redeploy.canaryCheck().getString("status"));
        assertEquals("VERIFIED", redeploy.state());
    }

    @Test
    void downCheckCarriesTheFullGuidanceAndEveryDetail() {
        JsonObject data = deployAndProbe(settings()).canaryCheck().getJsonObject("data");

        assertEquals(volume.resolve("app.db").toString(), data.getString("database"));
        assertTrue(data.getString("lock").startsWith(tmp.resolve("canary").toString()), data::toString);
        assertFalse(data.getString("filesystem").isEmpty());
        assertTrue(data.getString("message").startsWith("First boot of " + volume.resolve("app.db")), data::toString);
        assertTrue(data.getString("message").contains("redeploy now"), data::toString);
        assertFalse(data.containsKey("warnings"), "no warnings here: " + data);
        assertFalse(data.getString("platform").isEmpty(), data::toString);
        assertFalse(data.getString("deploy-id").isEmpty(), data::toString);
    }

    @Test
    void severalDatabasesGetPrefixedKeysAndTheCheckIsDownIfAnyIsDown() throws Exception {
        Path other = Files.createDirectory(volume.resolve("other")).resolve("other.db");
        Settings two = Settings.properties(Map.of(
                "sqlite.canary.database", volume.resolve("app.db") + " , " + other,
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString()));

        JsonObject data = deployAndProbe(two).canaryCheck().getJsonObject("data");

        assertEquals("FIRST_BOOT", data.getString("db1.state"));
        assertEquals(other.toString(), data.getString("db2.database"));
        assertFalse(data.containsKey("state"), data::toString);
    }

    @Test
    void logModeStaysUpButStillReportsTheState() {
        Settings logOnly = Settings.properties(Map.of(
                "sqlite.canary.database", volume.resolve("app.db").toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString(),
                "sqlite.canary.on-failure", "log"));

        Readiness readiness = deployAndProbe(logOnly);

        assertEquals(200, readiness.httpStatus());
        assertEquals("FIRST_BOOT", readiness.state());
        assertEquals("log", readiness.canaryCheck().getJsonObject("data").getString("on-failure"));
    }

    @Test
    void invalidValueIsMisconfiguredAndQuotesKeyValueAndRule() {
        Settings invalid = Settings.properties(Map.of(
                "sqlite.canary.database", volume.resolve("app.db").toString(),
                "sqlite.canary.busy-timeout", "-1"));

        Readiness readiness = deployAndProbe(invalid);

        assertEquals(503, readiness.httpStatus());
        assertEquals("MISCONFIGURED", readiness.state());
        assertTrue(readiness.canaryCheck().getJsonObject("data").getString("message")
                .contains("sqlite.canary.busy-timeout=\"-1\" must be a whole number of milliseconds"));
    }

    @Test
    void databaseDeletedUnderTheRunningApplicationTurnsTheCheckDown() throws Exception {
        deployAndProbe(settings());
        wipeTemporaryDirectory();
        Readiness[] probes = new Readiness[2];

        CanaryContainer.boot(settings(), container -> {
            probes[0] = CanaryContainer.probe(container);
            try {
                Files.delete(volume.resolve("app.db"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            probes[1] = CanaryContainer.probe(container);
        });

        assertEquals("VERIFIED", probes[0].state());
        assertEquals(503, probes[1].httpStatus());
        assertEquals("DATABASE_VANISHED", probes[1].state());
    }

    @Test
    void checkThatFailsAnswersDownAndLogsWhy() {
        ReadinessCheck check = new ReadinessCheck();
        check.startup = new CanaryStartup() {
            @Override
            public Optional<Result> current() {
                throw new IllegalStateException("broken");
            }
        };
        try (LogCapture log = LogCapture.start()) {
            HealthCheckResponse response = check.call();

            assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
            assertEquals("ERROR", response.getData().orElseThrow().get("state"));
            assertTrue(log.records().stream().anyMatch(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().contains("the readiness check failed (java.lang.IllegalStateException: broken)")),
                    () -> log.messages().toString());
        }
    }
}
