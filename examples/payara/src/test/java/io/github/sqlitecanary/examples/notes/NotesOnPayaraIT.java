package io.github.sqlitecanary.examples.notes;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The notes WAR on a real Payara Micro, booted again and again to act out deploys: a data directory
 * (the persistent volume) is kept or replaced, and a temporary directory (the container's own file
 * system, which a redeploy wipes) is kept or replaced. The canary is configured as an operator
 * would, with environment variables over the WAR's own {@code microprofile-config.properties}.
 */
class NotesOnPayaraIT {

    private static final Path WORK = Path.of(System.getProperty("it.work.dir", "target/it"));
    private static final String NOTE = "written on the first deploy";

    @Test
    void databaseOnAKeptVolumeIsVerifiedByTheRedeployAndAnEphemeralDiskStartsOver() throws Exception {
        Path work = freshDirectory("redeploy");
        Path volume = Files.createDirectories(work.resolve("volume"));
        Path database = volume.resolve("notes.db");
        Path firstTmp = work.resolve("tmp-1");

        // Fresh data, fresh tmp: the first production deploy.
        try (PayaraMicroServer server = PayaraMicroServer.start(firstTmp, work.resolve("1-first-deploy.log"),
                canary(database, firstTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("first deploy (fresh data, fresh tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("FIRST_BOOT", readiness.state()),
                    () -> assertEquals(database.toString(), readiness.data("database")),
                    () -> assertTrue(readiness.data("message").contains("redeploy now"), readiness::toString),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database
                            + ": " + readiness.data("message")), "the guidance is in the server log"));
            HttpResponse<String> created = server.postJson("/notes/api/notes", "{\"text\":\"" + NOTE + "\"}");
            assertEquals(201, created.statusCode(), created::body);
        }

        // Same data, same tmp: a restart, not a redeploy.
        try (PayaraMicroServer server = PayaraMicroServer.start(firstTmp, work.resolve("2-restart.log"),
                canary(database, firstTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("restart (same data, same tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("AWAITING_REDEPLOY", readiness.state()),
                    () -> assertTrue(Files.exists(Path.of(readiness.data("lock"))), "the lock is still there"),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary AWAITING_REDEPLOY (DOWN)")));
        }

        // Same data, fresh tmp: a redeploy onto the kept volume.
        Path secondTmp = work.resolve("tmp-2");
        try (PayaraMicroServer server = PayaraMicroServer.start(secondTmp, work.resolve("3-redeploy.log"),
                canary(database, secondTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("redeploy (same data, fresh tmp)", readiness);
            HttpResponse<String> notes = server.get("/notes/api/notes");
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("VERIFIED", readiness.state()),
                    () -> assertEquals(200, notes.statusCode(), notes::body),
                    () -> assertTrue(notes.body().contains(NOTE), "the note of the first deploy is back: " + notes.body()));
        }

        // Fresh data, fresh tmp: the next deploy lands on an ephemeral disk.
        Path lostVolume = Files.createDirectories(work.resolve("volume-lost"));
        Path thirdTmp = work.resolve("tmp-3");
        try (PayaraMicroServer server = PayaraMicroServer.start(thirdTmp, work.resolve("4-ephemeral-disk.log"),
                canary(lostVolume.resolve("notes.db"), thirdTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("ephemeral disk (fresh data, fresh tmp)", readiness);
            HttpResponse<String> notes = server.get("/notes/api/notes");
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("FIRST_BOOT", readiness.state()),
                    () -> assertEquals("[]", notes.body(), "the new disk holds no notes"));
        }
    }

    @Test
    void failStartupKeepsTheApplicationFromDeployingOnAFreshDatabase() throws Exception {
        Path work = freshDirectory("fail-startup");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path tmp = work.resolve("tmp");
        Map<String, String> environment = new HashMap<>(canary(database, tmp));
        environment.put("SQLITE_CANARY_ON_FAILURE", "fail-startup");

        try (PayaraMicroServer server = PayaraMicroServer.start(tmp, work.resolve("fail-startup.log"), environment)) {
            server.awaitBooted();
            Readiness readiness = server.readiness();
            report("fail-startup on a fresh database", readiness);
            HttpResponse<String> notes = server.get("/notes/api/notes");
            String log = server.log();
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertFalse(readiness.canary().isPresent(), "no canary check without the application"),
                    () -> assertEquals(404, notes.statusCode(), "the application is not deployed"),
                    () -> assertTrue(log.contains("DeploymentException"), "the deployment failed"),
                    () -> assertTrue(log.contains("sqlite-persistence-canary FIRST_BOOT: First boot of " + database),
                            "the guidance is in the server log"),
                    () -> assertTrue(log.contains("redeploy now")));
        }
    }

    @Test
    void disabledCanaryIsReady() throws Exception {
        Path work = freshDirectory("disabled");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path tmp = work.resolve("tmp");
        Map<String, String> environment = new HashMap<>(canary(database, tmp));
        environment.put("SQLITE_CANARY_ENABLED", "false");

        try (PayaraMicroServer server = PayaraMicroServer.start(tmp, work.resolve("disabled.log"), environment)) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("SQLITE_CANARY_ENABLED=false", readiness);
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("DISABLED", readiness.state()),
                    () -> assertFalse(Files.exists(tmp.resolve("sqlite-persistence-canary")), "no lock was written"));
        }
    }

    private static void report(String step, Readiness readiness) {
        System.out.printf("Payara Micro, %s: /health/ready %d %s%n", step, readiness.status(),
                readiness.canary().map(check -> readiness.state()).orElse("(no canary check: " + readiness.body() + ")"));
    }

    /**
     * The operator's settings: the database on the volume, the lock in the temporary directory.
     * Every deploy here runs on one machine: if it is a container, its id (the platform's deploy
     * identity) would be the same for every deploy and hold each redeploy back, so it is turned off.
     */
    private static Map<String, String> canary(Path database, Path tmp) {
        return Map.of(
                "SQLITE_CANARY_DATABASE", database.toString(),
                "SQLITE_CANARY_LOCK_DIR", tmp.resolve("sqlite-persistence-canary").toString(),
                "SQLITE_CANARY_DEPLOY_ID", "none");
    }

    private static Path freshDirectory(String name) throws IOException {
        Path directory = WORK.resolve(name).toAbsolutePath();
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        return Files.createDirectories(directory);
    }
}
