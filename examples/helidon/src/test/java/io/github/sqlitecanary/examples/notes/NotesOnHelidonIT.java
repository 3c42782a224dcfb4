package io.github.sqlitecanary.examples.notes;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The notes application on a real Helidon MP, started again and again to act out deploys: a data
 * directory (the persistent volume) is kept or replaced, and a temporary directory (the
 * container's own file system, which a redeploy wipes) is kept or replaced. The canary is
 * configured as an operator would, with environment variables over the application's own
 * {@code microprofile-config.properties}.
 */
class NotesOnHelidonIT {

    private static final Path WORK = Path.of(System.getProperty("it.work.dir", "target/it"));
    private static final String NOTE = "written on the first deploy";
    private static final String NOTES = "/api/notes";

    private static Path java;

    @BeforeEach
    void findJava21() {
        java = Java21.executable();
    }

    @Test
    void databaseOnAKeptVolumeIsVerifiedByTheRedeploy() throws Exception {
        Path work = freshDirectory("redeploy");
        Path volume = Files.createDirectories(work.resolve("volume"));
        Path database = volume.resolve("notes.db");
        Path firstTmp = work.resolve("tmp-1");

        // Fresh data, fresh tmp: the first production deploy.
        try (HelidonServer server = HelidonServer.start(java, firstTmp, work.resolve("1-first-deploy.log"),
                canary(database, firstTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("first deploy (fresh data, fresh tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("FIRST_BOOT", readiness.state()),
                    () -> assertEquals(database.toString(), readiness.data("database")),
                    () -> assertTrue(readiness.data("lock").startsWith(firstTmp.resolve("sqlite-persistence-canary")
                            + "/"), readiness::toString),
                    () -> assertFalse(readiness.data("filesystem").isBlank(), readiness::toString),
                    () -> assertTrue(readiness.data("message").contains("redeploy now"), readiness::toString),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database
                            + ": " + readiness.data("message")), "the guidance is in the server log"));
            HttpResponse<String> created = server.postJson(NOTES, "{\"text\":\"" + NOTE + "\"}");
            assertEquals(201, created.statusCode(), created::body);
        }

        // Same data, same tmp: a restart, not a redeploy.
        try (HelidonServer server = HelidonServer.start(java, firstTmp, work.resolve("2-restart.log"),
                canary(database, firstTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("restart (same data, same tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("AWAITING_REDEPLOY", readiness.state()),
                    () -> assertTrue(Files.exists(Path.of(readiness.data("lock"))), "the lock is still there"),
                    () -> assertTrue(readiness.data("message").contains(readiness.data("lock")),
                            "the guidance names the lock file"),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary AWAITING_REDEPLOY (DOWN) "
                            + database + ": " + readiness.data("message")), "the guidance is in the server log"));
        }

        // Same data, fresh tmp: a redeploy onto the kept volume.
        Path secondTmp = work.resolve("tmp-2");
        try (HelidonServer server = HelidonServer.start(java, secondTmp, work.resolve("3-redeploy.log"),
                canary(database, secondTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("redeploy (same data, fresh tmp)", readiness);
            HttpResponse<String> notes = server.get(NOTES);
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("VERIFIED", readiness.state()),
                    () -> assertEquals(database.toString(), readiness.data("database")),
                    () -> assertEquals(200, notes.statusCode(), notes::body),
                    () -> assertTrue(notes.body().contains(NOTE), "the note of the first deploy is back: " + notes.body()));
        }
    }

    @Test
    void databaseOnATmpfsIsAnEphemeralFilesystem() throws Exception {
        // /dev/shm is a tmpfs on Linux machines and in containers: memory, gone with the machine.
        Path shm = Path.of("/dev/shm");
        Optional<String> type = fileSystemType(shm);
        if (!type.equals(Optional.of("tmpfs"))) {
            System.err.println("*** SKIPPED: the ephemeral disk step needs a tmpfs at " + shm + "; it is "
                    + type.orElse("not mounted") + " here.");
        }
        assumeTrue(type.equals(Optional.of("tmpfs")), () -> "no tmpfs at " + shm + " (" + type.orElse("none") + ")");

        Path work = freshDirectory("ephemeral-disk");
        Path volume = Files.createDirectories(shm.resolve("notes-helidon-it-" + UUID.randomUUID()));
        Path database = volume.resolve("notes.db");
        Path tmp = work.resolve("tmp");
        try (HelidonServer server = HelidonServer.start(java, tmp, work.resolve("ephemeral-disk.log"),
                canary(database, tmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("ephemeral disk (database on a tmpfs)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("EPHEMERAL_FILESYSTEM", readiness.state()),
                    () -> assertTrue(readiness.data("filesystem").startsWith("tmpfs"), readiness::toString),
                    () -> assertTrue(readiness.data("message").contains("Mount a persistent volume at " + volume),
                            readiness::toString),
                    () -> assertFalse(Files.exists(tmp.resolve("sqlite-persistence-canary")), "no lock was written"),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary EPHEMERAL_FILESYSTEM (DOWN) "
                            + database + ": " + readiness.data("message")), "the guidance is in the server log"));
        } finally {
            delete(volume);
        }
    }

    @Test
    void failStartupStopsHelidonOnAFreshDatabase() throws Exception {
        Path work = freshDirectory("fail-startup");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path tmp = work.resolve("tmp");
        Map<String, String> environment = new HashMap<>(canary(database, tmp));
        environment.put("SQLITE_CANARY_ON_FAILURE", "fail-startup");

        try (HelidonServer server = HelidonServer.start(java, tmp, work.resolve("fail-startup.log"), environment)) {
            // The exception from the startup observer ends Helidon's main thread before the web
            // server starts: the process exits, and nothing ever answers on the port.
            int exitCode = server.awaitExit();
            System.out.printf("Helidon MP, fail-startup on a fresh database: %s no answer (the process exited with %d)%n",
                    HelidonServer.READINESS, exitCode);
            String log = server.log();
            assertAll(
                    () -> assertNotEquals(0, exitCode, "Helidon exits with an error"),
                    () -> assertThrows(ConnectException.class, server::readiness, "nothing listens"),
                    () -> assertTrue(log.contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database + ": First boot of "
                            + database), "the guidance is in the server log"),
                    () -> assertTrue(log.contains("PersistenceCanaryException: sqlite-persistence-canary FIRST_BOOT: First boot of "
                            + database), "the startup failed with the canary's verdict"),
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

        try (HelidonServer server = HelidonServer.start(java, tmp, work.resolve("disabled.log"), environment)) {
            Readiness readiness = server.awaitCanaryVerdict();
            report("SQLITE_CANARY_ENABLED=false", readiness);
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("DISABLED", readiness.state()),
                    () -> assertFalse(Files.exists(tmp.resolve("sqlite-persistence-canary")), "no lock was written"),
                    () -> assertFalse(Files.exists(database), "the canary did not touch the database"));
        }
    }

    private static void report(String step, Readiness readiness) {
        System.out.printf("Helidon MP, %s: %s %d %s%n", step, HelidonServer.READINESS, readiness.status(),
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

    /** The type of the file system mounted exactly at {@code mountPoint}, from /proc/self/mountinfo. */
    private static Optional<String> fileSystemType(Path mountPoint) throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        if (!Files.isReadable(mountinfo)) {
            return Optional.empty();
        }
        Optional<String> type = Optional.empty();
        for (String line : Files.readAllLines(mountinfo)) {
            // "36 25 0:32 / /dev/shm rw,relatime - tmpfs tmpfs rw": field 5 is the mount point,
            // the first field after " - " the type; a later line for the same point mounts over it.
            List<String> fields = List.of(line.split(" "));
            int separator = fields.indexOf("-");
            if (fields.size() > 4 && separator > 4 && separator + 1 < fields.size()
                    && fields.get(4).equals(mountPoint.toString())) {
                type = Optional.of(fields.get(separator + 1));
            }
        }
        return type;
    }

    private static Path freshDirectory(String name) throws IOException {
        Path directory = WORK.resolve(name).toAbsolutePath();
        delete(directory);
        return Files.createDirectories(directory);
    }

    private static void delete(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
