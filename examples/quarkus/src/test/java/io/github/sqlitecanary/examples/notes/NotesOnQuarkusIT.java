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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The packaged notes application ({@code target/quarkus-app/quarkus-run.jar}) started again and
 * again as a real process to act out deploys: a data directory (the persistent volume) is kept or
 * replaced, and a temporary directory (the container's own file system, which a redeploy wipes) is
 * kept or replaced. The canary is a plain dependency; Quarkus finds its beans through the jar's
 * {@code META-INF/beans.xml} (there is no Jandex index in it), and it is configured as an operator
 * would, with environment variables over the application's {@code application.properties}.
 */
class NotesOnQuarkusIT {

    private static final Path WORK = Path.of(System.getProperty("it.work.dir", "target/it"));
    private static final String NOTE = "written on the first deploy";
    /** What the specification promises in the check's data, whatever the runtime. */
    private static final List<String> DATA_KEYS = List.of("state", "database", "lock", "filesystem", "message");

    @Test
    void databaseOnAKeptVolumeIsVerifiedByTheRedeploy() throws Exception {
        Path work = freshDirectory("redeploy");
        Path volume = Files.createDirectories(work.resolve("volume"));
        Path database = volume.resolve("notes.db");
        Path firstTmp = work.resolve("tmp-1");

        // Fresh data, fresh tmp: the first production deploy.
        try (QuarkusApp app = QuarkusApp.start(firstTmp, work.resolve("1-first-deploy.log"), canary(database, firstTmp))) {
            Readiness readiness = app.awaitCanaryVerdict();
            report(app, "first deploy (fresh data, fresh tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("FIRST_BOOT", readiness.state()),
                    () -> DATA_KEYS.forEach(readiness::data), // each one present, as a JSON string
                    () -> assertEquals(database.toString(), readiness.data("database")),
                    () -> assertTrue(readiness.data("lock").startsWith(firstTmp.resolve("sqlite-persistence-canary") + "/"),
                            readiness::toString),
                    () -> assertTrue(readiness.data("message").contains("redeploy now"), readiness::toString),
                    () -> assertTrue(app.log().contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database
                            + ": " + readiness.data("message")), "the guidance is in the application's log"));
            HttpResponse<String> created = app.postJson("/api/notes", "{\"text\":\"" + NOTE + "\"}");
            assertEquals(201, created.statusCode(), created::body);
        }

        // Same data, same tmp: a restart, not a redeploy.
        try (QuarkusApp app = QuarkusApp.start(firstTmp, work.resolve("2-restart.log"), canary(database, firstTmp))) {
            Readiness readiness = app.awaitCanaryVerdict();
            report(app, "restart (same data, same tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("AWAITING_REDEPLOY", readiness.state()),
                    () -> assertTrue(Files.exists(Path.of(readiness.data("lock"))), "the lock is still there"),
                    () -> assertTrue(readiness.data("message").contains(readiness.data("lock")), "the message names the lock"),
                    () -> assertTrue(app.log().contains("sqlite-persistence-canary AWAITING_REDEPLOY (DOWN) " + database)));
        }

        // Same data, fresh tmp: a redeploy onto the kept volume.
        Path secondTmp = work.resolve("tmp-2");
        try (QuarkusApp app = QuarkusApp.start(secondTmp, work.resolve("3-redeploy.log"), canary(database, secondTmp))) {
            Readiness readiness = app.awaitCanaryVerdict();
            report(app, "redeploy (same data, fresh tmp)", readiness);
            HttpResponse<String> notes = app.get("/api/notes");
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("VERIFIED", readiness.state()),
                    () -> assertEquals("UP", readiness.json().path("status").asText()),
                    () -> assertEquals(200, notes.statusCode(), notes::body),
                    () -> assertTrue(notes.body().contains(NOTE), "the note of the first deploy is back: " + notes.body()));
        }
    }

    @Test
    void databaseOnATmpfsIsAnEphemeralFileSystem() throws Exception {
        // /dev/shm is a tmpfs on ordinary Linux machines: a stand-in for a container's disk that
        // the next deploy erases. Where it is not one, this step cannot prove anything.
        Path shm = Path.of("/dev/shm");
        boolean tmpfs = isTmpfsMountPoint(shm);
        if (!tmpfs) {
            System.out.println("Quarkus, ephemeral disk: SKIPPED, /dev/shm is not a tmpfs mount on this machine");
        }
        Assumptions.assumeTrue(tmpfs, "/dev/shm is not a tmpfs mount on this machine (see /proc/self/mountinfo)");

        Path work = freshDirectory("ephemeral-disk");
        Path volume = Files.createTempDirectory(shm, "notes-quarkus-it-");
        Path tmp = work.resolve("tmp");
        try (QuarkusApp app = QuarkusApp.start(tmp, work.resolve("ephemeral-disk.log"),
                canary(volume.resolve("notes.db"), tmp))) {
            Readiness readiness = app.awaitCanaryVerdict();
            report(app, "ephemeral disk (database on the tmpfs /dev/shm)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("EPHEMERAL_FILESYSTEM", readiness.state()),
                    () -> assertTrue(readiness.data("filesystem").startsWith("tmpfs"), readiness::toString),
                    () -> assertTrue(app.log().contains("sqlite-persistence-canary EPHEMERAL_FILESYSTEM (DOWN) "
                            + volume.resolve("notes.db"))));
        } finally {
            deleteTree(volume);
        }
    }

    @Test
    void failStartupStopsTheApplicationOnAFreshDatabase() throws Exception {
        Path work = freshDirectory("fail-startup");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path tmp = work.resolve("tmp");
        Map<String, String> environment = new HashMap<>(canary(database, tmp));
        environment.put("SQLITE_CANARY_ON_FAILURE", "fail-startup");

        try (QuarkusApp app = QuarkusApp.start(tmp, work.resolve("fail-startup.log"), environment)) {
            // The observer throws while Quarkus initialises its CDI container (before the HTTP
            // server opens): Quarkus logs "Failed to start quarkus" and the process exits with 1.
            int exitCode = app.awaitExit();
            System.out.printf("Quarkus, fail-startup on a fresh database: %s exit code %d, never listened%n",
                    app.readinessUrl(), exitCode);
            String log = app.log();
            assertAll(
                    () -> assertEquals(1, exitCode, app::tail),
                    () -> assertTrue(log.contains("Failed to start quarkus"), "Quarkus says it did not start"),
                    () -> assertFalse(log.contains("Listening on"), "the HTTP server never opened"),
                    () -> assertTrue(log.contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database),
                            "the guidance is logged as a warning"),
                    () -> assertTrue(log.contains("sqlite-persistence-canary FIRST_BOOT: First boot of " + database),
                            "the guidance is the reason Quarkus gives"),
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

        try (QuarkusApp app = QuarkusApp.start(tmp, work.resolve("disabled.log"), environment)) {
            Readiness readiness = app.awaitCanaryVerdict();
            report(app, "SQLITE_CANARY_ENABLED=false", readiness);
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("DISABLED", readiness.state()),
                    () -> assertFalse(Files.exists(tmp.resolve("sqlite-persistence-canary")), "no lock was written"),
                    () -> assertFalse(Files.exists(database), "nothing was written to the database"));
        }
    }

    @Test
    void jndiDataSourceIsAConfigurationErrorWithoutJndi() throws Exception {
        // Quarkus has no JNDI (and binds no DataSource there): sqlite.canary.datasource cannot work.
        // The file-path database beside it is still judged; the data names each one db1., db2.
        Path work = freshDirectory("jndi");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path tmp = work.resolve("tmp");
        Map<String, String> environment = new HashMap<>(canary(database, tmp));
        environment.put("SQLITE_CANARY_DATASOURCE", "java:comp/env/jdbc/notes");

        try (QuarkusApp app = QuarkusApp.start(tmp, work.resolve("jndi.log"), environment)) {
            Readiness readiness = app.awaitCanaryVerdict();
            report(app, "SQLITE_CANARY_DATASOURCE=java:comp/env/jdbc/notes", readiness);
            String log = app.log();
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("FIRST_BOOT", readiness.data("db1.state")),
                    () -> assertEquals("MISCONFIGURED", readiness.data("db2.state")),
                    () -> assertEquals("java:comp/env/jdbc/notes", readiness.data("db2.database")),
                    () -> assertTrue(readiness.data("db2.message").contains(
                            "sqlite.canary.datasource=\"java:comp/env/jdbc/notes\" names no DataSource that can be looked up"),
                            readiness::toString),
                    () -> assertTrue(readiness.data("db2.message").contains("set sqlite.canary.database to the database's path"),
                            "the way out on a runtime without JNDI DataSources: " + readiness),
                    () -> assertTrue(log.contains("sqlite-persistence-canary MISCONFIGURED (DOWN) java:comp/env/jdbc/notes")),
                    () -> assertFalse(log.contains("\tat "), "no stack trace in the log"));
        }
    }

    private static void report(QuarkusApp app, String step, Readiness readiness) {
        String state = readiness.canary().isEmpty() ? "(no canary check: " + readiness.body() + ")"
                : readiness.data().has("state") ? readiness.state()
                : readiness.data("db1.state") + " + " + readiness.data("db2.state");
        System.out.printf("Quarkus, %s: %s %d %s%n", step, app.readinessUrl(), readiness.status(), state);
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

    /** Whether the top-most mount at {@code mountPoint} is a tmpfs, as {@code /proc/self/mountinfo} says. */
    private static boolean isTmpfsMountPoint(Path mountPoint) throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        if (!Files.isReadable(mountinfo)) {
            return false;
        }
        String type = null;
        for (String line : Files.readAllLines(mountinfo)) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length > 4 && separator > 0 && separator + 1 < fields.length
                    && fields[4].equals(mountPoint.toString())) {
                type = fields[separator + 1]; // later lines are mounted over earlier ones
            }
        }
        return "tmpfs".equals(type);
    }

    private static Path freshDirectory(String name) throws IOException {
        Path directory = WORK.resolve(name).toAbsolutePath();
        deleteTree(directory);
        return Files.createDirectories(directory);
    }

    private static void deleteTree(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
