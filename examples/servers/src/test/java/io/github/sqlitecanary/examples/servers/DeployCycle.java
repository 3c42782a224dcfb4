package io.github.sqlitecanary.examples.servers;

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
 * The unchanged notes WAR on a full application server, booted again and again to act out
 * deploys. A "container" directory holds the server's own files (its configuration and deployment)
 * and its temporary directory: a restart keeps it, a redeploy starts from a fresh one, as a new
 * container from the same image would. A "volume" directory holds the database and is kept.
 * The canary is configured as an operator would, with environment variables over the WAR's own
 * {@code microprofile-config.properties}.
 */
abstract class DeployCycle {

    private static final Path WORK = Path.of(System.getProperty("it.work.dir", "target/it"));
    private static final String NOTE = "written on the first deploy";

    /** Boots the server with the WAR; {@code container} as above, created if it is not there yet. */
    abstract AppServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException;

    /** The directory of this server's runs under target/it. */
    abstract String directoryName();

    @Test
    void firstDeployWaitsForTheRedeployWhichFindsTheNoteAgain() throws Exception {
        Path work = freshDirectory(directoryName() + "/deploy-cycle");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path firstContainer = work.resolve("container-1");
        Path firstTmp = firstContainer.resolve("tmp");

        // Fresh volume, fresh container: the first production deploy.
        try (AppServer server = boot(firstContainer, work.resolve("1-first-deploy.log"), canary(database, firstTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report(server, "first deploy (fresh volume, fresh tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("FIRST_BOOT", readiness.state()),
                    () -> assertEquals(database.toString(), readiness.data("database")),
                    () -> assertTrue(readiness.data("message").contains("redeploy now"), readiness::toString),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database
                            + ": " + readiness.data("message")), "the guidance is in the server log"));
            HttpResponse<String> created = server.postJson("notes/api/notes", "{\"text\":\"" + NOTE + "\"}");
            assertEquals(201, created.statusCode(), created::body);
            assertListensOnLoopbackOnly(server);
        }

        // Same volume, same container (its tmp kept): a restart, not a redeploy.
        try (AppServer server = boot(firstContainer, work.resolve("2-restart.log"), canary(database, firstTmp))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report(server, "restart (same volume, same tmp)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("AWAITING_REDEPLOY", readiness.state()),
                    () -> assertTrue(readiness.data("lock").startsWith(firstTmp.toString()), readiness::toString),
                    () -> assertTrue(Files.exists(Path.of(readiness.data("lock"))), "the lock is still there"),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary AWAITING_REDEPLOY (DOWN) " + database),
                            "the guidance is in the server log"));
        }

        // Same volume, a new container (fresh server files, fresh tmp): a redeploy onto the kept volume.
        Path secondContainer = work.resolve("container-2");
        try (AppServer server = boot(secondContainer, work.resolve("3-redeploy.log"),
                canary(database, secondContainer.resolve("tmp")))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report(server, "redeploy (same volume, fresh tmp)", readiness);
            HttpResponse<String> notes = server.get("notes/api/notes");
            assertAll(
                    () -> assertEquals(200, readiness.status(), readiness::toString),
                    () -> assertEquals("VERIFIED", readiness.state()),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary VERIFIED (UP) " + database),
                            "the verdict is in the server log"),
                    () -> assertEquals(200, notes.statusCode(), notes::body),
                    () -> assertTrue(notes.body().contains(NOTE), "the note of the first deploy is back: " + notes.body()));
        }
    }

    /**
     * A deploy onto an ephemeral disk: the database on a tmpfs. The verdict comes from the library's
     * look at /proc/self/mountinfo, the same on every server, so one server runs it (boots are slow).
     */
    final void deployOntoAnEphemeralDisk() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(isTmpfs(shm), "SKIPPED LOUDLY: /dev/shm is not a tmpfs in /proc/self/mountinfo here,"
                + " so there is no ephemeral disk to deploy onto");
        Path work = freshDirectory(directoryName() + "/ephemeral-disk");
        Path volume = Files.createTempDirectory(shm, "notes-on-servers-");
        Path database = volume.resolve("notes.db");
        Path container = work.resolve("container");
        try (AppServer server = boot(container, work.resolve("ephemeral-disk.log"),
                canary(database, container.resolve("tmp")))) {
            Readiness readiness = server.awaitCanaryVerdict();
            report(server, "ephemeral disk (database on tmpfs /dev/shm)", readiness);
            assertAll(
                    () -> assertEquals(503, readiness.status(), readiness::toString),
                    () -> assertEquals("EPHEMERAL_FILESYSTEM", readiness.state()),
                    () -> assertTrue(readiness.data("filesystem").contains("tmpfs"), readiness::toString),
                    () -> assertTrue(server.log().contains("sqlite-persistence-canary EPHEMERAL_FILESYSTEM (DOWN) "
                            + database), "the guidance is in the server log"));
        } finally {
            deleteTree(volume);
        }
    }

    /** What a boot whose application did not start leaves to see. */
    record FailedStart(String deployment, HttpResponse<String> notes, Readiness readiness, String log) {
    }

    /**
     * One boot with {@code SQLITE_CANARY_ON_FAILURE=fail-startup} on a fresh volume and a fresh
     * container: the canary's FIRST_BOOT fails the application's start, so the application is not
     * served, the log carries the guidance, and the lock is written. What the readiness URL answers
     * then is the server's own: the caller checks it.
     *
     * @param deploymentOutcome markers of the log line that ends the WAR's deployment, failed or not
     */
    final FailedStart failStartupOnAFreshDatabase(String... deploymentOutcome) throws Exception {
        Path work = freshDirectory(directoryName() + "/fail-startup");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path container = work.resolve("container");
        Path lock = container.resolve("tmp").resolve("sqlite-persistence-canary");
        try (AppServer server = boot(container, work.resolve("fail-startup.log"),
                failStartup(database, container.resolve("tmp")))) {
            String deployment = server.awaitLogLine(0, deploymentOutcome);
            HttpResponse<String> notes = server.get("notes/api/notes");
            Readiness readiness = server.readiness();
            System.out.printf("%s, fail-startup on a fresh database: %s %d %s; %s %d%n", server.name(),
                    server.readinessUri(), readiness.status(), readiness.downChecks(),
                    server.applicationUri().resolve("notes/api/notes"), notes.statusCode());
            String log = server.log();
            assertAll(
                    () -> assertEquals(404, notes.statusCode(), "the application is not deployed: " + notes.body()),
                    () -> assertTrue(log.contains("sqlite-persistence-canary FIRST_BOOT (DOWN) " + database),
                            "the verdict is in the server log"),
                    () -> assertTrue(log.contains("sqlite-persistence-canary FIRST_BOOT: First boot of " + database),
                            "the application's start failed on the verdict"),
                    () -> assertTrue(log.contains("redeploy now"), "the guidance is in the server log"),
                    () -> assertTrue(Files.isDirectory(lock) && Files.list(lock).findAny().isPresent(),
                            "the lock is in the container's tmp: " + lock));
            return new FailedStart(deployment, notes, readiness, log);
        }
    }

    /** Every socket that the server's process tree listens on is bound to loopback. */
    static void assertListensOnLoopbackOnly(AppServer server) throws IOException {
        List<String> sockets = ListeningSockets.of(server.process().toHandle());
        System.out.printf("%s listens on %s%n", server.name(), sockets);
        assertFalse(sockets.isEmpty(), "the server's sockets are found");
        assertEquals(List.of(), sockets.stream().filter(socket -> !ListeningSockets.isLoopback(socket)).toList(),
                "sockets that are not on loopback");
    }

    private static void report(AppServer server, String step, Readiness readiness) {
        System.out.printf("%s, %s: %s %d %s%n", server.name(), step, server.readinessUri(), readiness.status(),
                readiness.canary().map(check -> readiness.state()).orElse("(no canary check: " + readiness.body() + ")"));
    }

    /**
     * The operator's settings: the database on the volume, the lock in the container's temporary
     * directory. Every deploy here runs on one machine: if it is a container, its id (the
     * platform's deploy identity) would be the same for every deploy and hold each redeploy back,
     * so it is turned off.
     */
    static Map<String, String> canary(Path database, Path tmp) {
        return Map.of(
                "SQLITE_CANARY_DATABASE", database.toString(),
                "SQLITE_CANARY_LOCK_DIR", tmp.resolve("sqlite-persistence-canary").toString(),
                "SQLITE_CANARY_DEPLOY_ID", "none");
    }

    /**
     * The operator's settings with {@code SQLITE_CANARY_ON_FAILURE=fail-startup}: a DOWN verdict
     * fails the application's start instead of holding readiness down.
     */
    static Map<String, String> failStartup(Path database, Path tmp) {
        Map<String, String> environment = new HashMap<>(canary(database, tmp));
        environment.put("SQLITE_CANARY_ON_FAILURE", "fail-startup");
        return environment;
    }

    private static boolean isTmpfs(Path mountPoint) throws IOException {
        // mountinfo: "<id> <parent> <major:minor> <root> <mount point> <options> ... - <fs type> <source> <super options>"
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.map(line -> line.split(" "))
                    .filter(fields -> fields.length > 4 && fields[4].equals(mountPoint.toString()))
                    .map(fields -> String.join(" ", fields))
                    .reduce((first, last) -> last) // the mount on top
                    .map(line -> line.substring(line.indexOf(" - ") + 3).startsWith("tmpfs "))
                    .orElse(false);
        }
    }

    static Path freshDirectory(String name) throws IOException {
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
