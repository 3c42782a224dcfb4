package io.github.sqlitecanary.containers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.containers.Podman.Container;
import io.github.sqlitecanary.containers.Podman.Result;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CLI jar of this build inside real Podman containers of {@code localhost/jre17}, one scenario
 * per way a container can hold the database, as root and as the non-root users of the official
 * server images. Each container runs {@code check --database … --json} the way an entrypoint or
 * an init container would, and the JSON verdict, the {@code filesystem} detail and the warnings
 * are asserted. See {@link Podman} for what is needed and when the tests are skipped.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class CliInContainersIT {

    /** The users containers run as: root, Payara's image user, Open Liberty's image user. */
    enum User {
        ROOT(0, 0), PAYARA_1000(1000, 1000), OPEN_LIBERTY_1001_GID_0(1001, 0);

        final int uid;
        final int gid;

        User(int uid, int gid) {
            this.uid = uid;
            this.gid = gid;
        }

        String spec() {
            return uid + ":" + gid;
        }
    }

    private static final String JAR_IN_CONTAINER = "/opt/canary/cli.jar";
    private static final String DATABASE = "/data/app.db";
    private static final String LOCK_DIR = "/tmp/sqlite-persistence-canary";

    @RegisterExtension
    final Podman podman = new Podman();

    private final List<Path> hostDirectories = new ArrayList<>();

    /** One {@code check --json} outcome. */
    record Verdict(Result run, JsonObject json) {
        String state() {
            return json.getString("state");
        }

        String status() {
            return json.getString("status");
        }

        String filesystem() {
            return json.getString("filesystem");
        }

        String message() {
            return json.getString("message");
        }

        String lock() {
            return json.getString("lock");
        }

        List<String> warnings() {
            return json.getJsonArray("warnings").getValuesAs(JsonString.class).stream().map(JsonString::getString)
                    .toList();
        }

        @Override
        public String toString() {
            return run.toString();
        }
    }

    static Path cliJar() {
        String jar = System.getProperty("canary.cli.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the build passes the CLI jar's path: " + jar);
        return Path.of(jar).toAbsolutePath();
    }

    /** A container running the CLI's {@code check} on {@code database} with {@code options} as mounts. */
    private Container checker(User user, String database, String... options) {
        List<String> all = new ArrayList<>(List.of("-v", cliJar() + ":" + JAR_IN_CONTAINER + ":ro"));
        all.addAll(List.of(options));
        return podman.create(user.spec(), all,
                List.of("java", "-jar", JAR_IN_CONTAINER, "check", "--database", database, "--json"));
    }

    /** Starts the container (again), prints and returns the verdict. */
    private Verdict start(Container container) {
        Result run = container.start();
        Verdict verdict = verdict(run);
        System.out.printf("[containers] %s %s -> %s (%s)%s%n", container.name(),
                container.description().replace(cliJar() + ":" + JAR_IN_CONTAINER + ":ro", "<cli.jar>"),
                verdict.state(), verdict.filesystem(), verdict.warnings().isEmpty() ? "" : " + warning");
        return verdict;
    }

    private static Verdict verdict(Result run) {
        String out = run.stdout().strip();
        assertTrue(out.startsWith("{"), () -> "one JSON object on standard output: " + run);
        Verdict verdict = new Verdict(run, Json.createReader(new StringReader(out)).readObject());
        assertEquals("UP".equals(verdict.status()) ? 0 : 1, run.exitCode(), () -> "exit code of " + run);
        return verdict;
    }

    /** Creates a container, starts it once, returns the verdict. */
    private Verdict runOnce(User user, String database, String... options) {
        return start(checker(user, database, options));
    }

    private static void assertState(String state, Verdict verdict) {
        assertEquals(state, verdict.state(), () -> "state; " + verdict);
    }

    private static void assertContains(String expected, String actual, Verdict verdict) {
        assertTrue(actual != null && actual.contains(expected),
                () -> "expected \"" + expected + "\" in: " + actual + "\n" + verdict);
    }

    private static void assertContainsIgnoringCase(String expected, String actual, Verdict verdict) {
        assertTrue(actual != null && actual.toLowerCase(Locale.ROOT).contains(expected.toLowerCase(Locale.ROOT)),
                () -> "expected \"" + expected + "\" (any case) in: " + actual + "\n" + verdict);
    }

    private static void assertNoWarnings(Verdict verdict) {
        assertEquals(List.of(), verdict.warnings(), () -> "warnings; " + verdict);
    }

    private static String fileSystemType(Path hostPath) {
        try {
            return Files.getFileStore(hostPath).type();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String volumeFilesystem(String volume) {
        return fileSystemType(podman.volumeMountpoint(volume)) + " on /data";
    }

    /** A host directory on the build's own disk (not the host's /tmp, which may be a tmpfs). */
    private Path hostDirectory() throws IOException {
        Path base = cliJar().getParent().resolve("containers-it");
        Files.createDirectories(base);
        Path directory = Files.createTempDirectory(base, "host-");
        hostDirectories.add(directory);
        return directory;
    }

    @AfterEach
    void deleteHostDirectories() throws IOException {
        for (Path directory : hostDirectories) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    // The container's own file system and memory

    @ParameterizedTest
    @EnumSource(User.class)
    void databaseOnTheContainersRootFilesystemIsEphemeralFilesystem(User user) {
        // given no volume at all: /srv exists in the image, the database would live in the overlay layer
        Verdict verdict = runOnce(user, "/srv/app.db");

        assertState("EPHEMERAL_FILESYSTEM", verdict);
        assertEquals("overlay on /", verdict.filesystem(), verdict::toString);
        assertContains("Mount a persistent volume at /srv", verdict.message(), verdict);
        assertNoWarnings(verdict);
    }

    @ParameterizedTest
    @EnumSource(User.class)
    void tmpfsAtTheDatabaseDirectoryIsEphemeralFilesystem(User user) {
        Verdict verdict = runOnce(user, DATABASE, "--tmpfs", "/data");

        assertState("EPHEMERAL_FILESYSTEM", verdict);
        assertEquals("tmpfs on /data", verdict.filesystem(), verdict::toString);
        assertContains("Mount a persistent volume at /data", verdict.message(), verdict);
        assertNoWarnings(verdict);
    }

    // Volumes and bind mounts

    @Test
    void namedVolumeFirstBootThenRestartAwaitsRedeployThenNewContainerIsVerified() {
        String volume = podman.volume();
        cycleOnOwnVolume(User.ROOT, volume);
    }

    @ParameterizedTest
    @EnumSource(value = User.class, names = {"PAYARA_1000", "OPEN_LIBERTY_1001_GID_0"})
    void nonRootUserOnItsOwnVolumeGoesThroughTheWholeCycle(User user) {
        // given a volume owned by the image's user, as an image with a chowned /data would give it
        String volume = podman.volume("--opt", "o=uid=" + user.uid + ",gid=" + user.gid);
        cycleOnOwnVolume(user, volume);

        // and the files the canary made belong to that user
        assertEquals(user.uid, uid(podman.volumeMountpoint(volume).resolve("app.db")), "owner of app.db on the volume");
    }

    private void cycleOnOwnVolume(User user, String volume) {
        String filesystem = volumeFilesystem(volume);
        Container first = checker(user, DATABASE, "-v", volume + ":/data");

        Verdict firstBoot = start(first);
        assertState("FIRST_BOOT", firstBoot);
        assertEquals(filesystem, firstBoot.filesystem(), firstBoot::toString);
        assertEquals(DATABASE, firstBoot.json().getString("database"), firstBoot::toString);
        assertTrue(firstBoot.lock().startsWith(LOCK_DIR + "/"), firstBoot::toString);
        assertNoWarnings(firstBoot);

        // the same container started again: its /tmp (the lock) is still there
        Verdict restart = start(first);
        assertState("AWAITING_REDEPLOY", restart);
        assertContains(restart.lock(), restart.message(), restart);
        assertNoWarnings(restart);

        // a new container on the same volume: a redeploy
        Verdict redeploy = runOnce(user, DATABASE, "-v", volume + ":/data");
        assertState("VERIFIED", redeploy);
        assertEquals("UP", redeploy.status(), redeploy::toString);
        assertEquals(filesystem, redeploy.filesystem(), redeploy::toString);
        assertNoWarnings(redeploy);
    }

    /**
     * SPEC "The platform": Podman is recognised, and its container id is the deploy identifier, so a
     * restart of the same container that wipes /tmp (a tmpfs) is held back instead of verified.
     */
    @Test
    void podmanIsTheRecognisedPlatformAndARestartThatWipesTmpIsHeldBackByTheContainerId() {
        String volume = podman.volume();
        Container first = checker(User.ROOT, DATABASE, "--tmpfs", "/tmp", "-v", volume + ":/data");

        Verdict firstBoot = start(first);
        assertState("FIRST_BOOT", firstBoot);
        assertEquals("Podman", firstBoot.json().getString("platform"), firstBoot::toString);
        String deployId = firstBoot.json().getString("deployId");
        assertTrue(deployId.matches("[0-9a-f]{64} \\(the container id in /proc/self/mountinfo\\)"), firstBoot::toString);
        assertContains("podman run -v app-data:/data", firstBoot.message(), firstBoot);

        // the same container started again: its tmpfs /tmp (the lock) is gone, its id is not
        Verdict restart = start(first);
        assertState("AWAITING_REDEPLOY", restart);
        assertContains("a restart, not a redeploy", restart.message(), restart);
        assertEquals(deployId, restart.json().getString("deployId"), restart::toString);

        // a new container on the same volume: a redeploy
        Verdict redeploy = runOnce(User.ROOT, DATABASE, "--tmpfs", "/tmp", "-v", volume + ":/data");
        assertState("VERIFIED", redeploy);
        assertFalse(redeploy.message().contains("podman run"), redeploy::toString);
    }

    @Test
    void anonymousVolumeIsAcceptedWithItsWarningAndANewContainerStartsOver() {
        Container first = checker(User.ROOT, DATABASE, "-v", "/data");

        Verdict firstBoot = start(first);
        assertState("FIRST_BOOT", firstBoot);
        assertTrue(firstBoot.filesystem().endsWith(" on /data"), firstBoot::toString);
        assertEquals(1, firstBoot.warnings().size(), firstBoot::toString);
        assertContains("anonymous volume", firstBoot.warnings().get(0), firstBoot);

        // it survives a restart of this container...
        Verdict restart = start(first);
        assertState("AWAITING_REDEPLOY", restart);
        assertContains("anonymous volume", String.join("; ", restart.warnings()), restart);

        // ...but a new container gets a new, empty one
        Verdict redeploy = runOnce(User.ROOT, DATABASE, "-v", "/data");
        assertState("FIRST_BOOT", redeploy);
        assertContains("anonymous volume", String.join("; ", redeploy.warnings()), redeploy);
    }

    @Test
    void bindMountOfTheDatabaseFileItselfIsSingleFileMountAndTheFileIsUntouched() throws Exception {
        // given a user's database on the host, bound as a single file
        Path host = hostDirectory();
        Path database = host.resolve("app.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
            statement.execute("INSERT INTO notes (text) VALUES ('written before the container')");
        }
        byte[] before = Files.readAllBytes(database);
        long modified = Files.getLastModifiedTime(database).toMillis();

        Verdict verdict = runOnce(User.ROOT, DATABASE, "-v", database + ":" + DATABASE);

        assertState("SINGLE_FILE_MOUNT", verdict);
        assertEquals(fileSystemType(database) + " on " + DATABASE, verdict.filesystem(), verdict::toString);
        assertContains("Mount the volume at the directory /data", verdict.message(), verdict);
        assertNoWarnings(verdict);
        assertArrayEquals(before, Files.readAllBytes(database), "the host file's bytes");
        assertEquals(modified, Files.getLastModifiedTime(database).toMillis(), "the host file's modification time");
        try (Stream<Path> files = Files.list(host)) {
            assertEquals(List.of(database), files.toList(), "no -wal, -shm or -journal beside the host file");
        }
    }

    @Test
    void hostDirectoryBindMountIsFirstBootThenVerified() throws Exception {
        Path host = hostDirectory();
        String filesystem = fileSystemType(host) + " on /data";

        Verdict firstBoot = runOnce(User.ROOT, DATABASE, "-v", host + ":/data");
        assertState("FIRST_BOOT", firstBoot);
        assertEquals(filesystem, firstBoot.filesystem(), firstBoot::toString);
        assertNoWarnings(firstBoot);
        assertTrue(Files.isRegularFile(host.resolve("app.db")), "the database is on the host");

        Verdict redeploy = runOnce(User.ROOT, DATABASE, "-v", host + ":/data");
        assertState("VERIFIED", redeploy);
        assertEquals(filesystem, redeploy.filesystem(), redeploy::toString);
        assertNoWarnings(redeploy);
    }

    // The temporary directory

    @Test
    void tmpOnAVolumeKeepsTheLockSoARedeployAwaitsRedeployNamingTheLock() {
        String data = podman.volume();
        String tmp = podman.volume();
        String[] mounts = {"-v", data + ":/data", "-v", tmp + ":/tmp"};

        Verdict firstBoot = runOnce(User.ROOT, DATABASE, mounts);
        assertState("FIRST_BOOT", firstBoot);
        assertEquals(volumeFilesystem(data), firstBoot.filesystem(), firstBoot::toString);
        assertLockOnTheDatabasesFileSystemWarning(firstBoot);

        // a new container, but the lock survived on the /tmp volume
        Verdict redeploy = runOnce(User.ROOT, DATABASE, mounts);
        assertState("AWAITING_REDEPLOY", redeploy);
        assertContains(redeploy.lock(), redeploy.message(), redeploy);
        assertContains("temporary directory survives deploys", redeploy.message(), redeploy);
        assertLockOnTheDatabasesFileSystemWarning(redeploy);
    }

    private static void assertLockOnTheDatabasesFileSystemWarning(Verdict verdict) {
        // both volumes live in Podman's volume directory, on one file system
        assertEquals(1, verdict.warnings().size(), verdict::toString);
        assertContains("the lock directory " + LOCK_DIR + " is on the same file system as the database",
                verdict.warnings().get(0), verdict);
    }

    @Test
    void readOnlyRootWithATmpfsTmpWorksThroughVerified() {
        String volume = podman.volume();
        String[] options = {"--read-only", "--tmpfs", "/tmp", "-v", volume + ":/data"};

        Verdict firstBoot = runOnce(User.ROOT, DATABASE, options);
        assertState("FIRST_BOOT", firstBoot);
        assertEquals(volumeFilesystem(volume), firstBoot.filesystem(), firstBoot::toString);
        assertNoWarnings(firstBoot);

        Verdict redeploy = runOnce(User.ROOT, DATABASE, options);
        assertState("VERIFIED", redeploy);
        assertNoWarnings(redeploy);
    }

    @Test
    void noexecTmpIsDownNamingSqlitesNativeLibrary() {
        // given Docker's default for --tmpfs: noexec, where sqlite-jdbc extracts its native library
        String volume = podman.volume();

        Verdict verdict = runOnce(User.ROOT, DATABASE, "--tmpfs", "/tmp:rw,noexec,nosuid,nodev", "-v", volume + ":/data");

        assertEquals("DOWN", verdict.status(), verdict::toString);
        assertContainsIgnoringCase("native librar", verdict.message(), verdict);
        assertEquals(volumeFilesystem(volume), verdict.filesystem(), verdict::toString);
        assertFalse(verdict.run().stderr().contains("\tat "), () -> "no Java stack trace reaches a person: " + verdict);
    }

    // Permissions

    @ParameterizedTest
    @EnumSource(value = User.class, names = {"PAYARA_1000", "OPEN_LIBERTY_1001_GID_0"})
    void nonRootUserOnARootOwnedVolumeIsDownSayingItIsAPermissionProblem(User user) {
        // given a volume that stays root's: an explicit owner, since Podman hands a new, never used
        // volume to the first container's user (Docker does not)
        String volume = podman.volume("--opt", "o=uid=0,gid=0");
        assertEquals(0, uid(podman.volumeMountpoint(volume)), "the volume belongs to root");

        Verdict verdict = runOnce(user, DATABASE, "-v", volume + ":/data");

        assertEquals("DOWN", verdict.status(), verdict::toString);
        assertContainsIgnoringCase("permission", verdict.message(), verdict);
        assertContains("/data", verdict.message(), verdict);
        assertFalse(Files.exists(podman.volumeMountpoint(volume).resolve("app.db")), "no database file was made");
    }

    private static int uid(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
