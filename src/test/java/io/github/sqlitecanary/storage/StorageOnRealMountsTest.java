package io.github.sqlitecanary.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.storage.MountNamespace.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The canary's command line on real mounts, in a private mount namespace: what a container
 * platform mounts (tmpfs, an overlay layer, volumes bound over it, a single bound file, kubelet's
 * emptyDir, Docker's anonymous volume), acted out with {@code unshare -m} and {@code mount}.
 *
 * <p>Needs root (or CAP_SYS_ADMIN); where mounting is not permitted, every test is skipped with the
 * reason.
 */
class StorageOnRealMountsTest {

    private static final String ANONYMOUS_VOLUME_ID = "3237dea4f8022f1addd7b6f072a9c847eb3e5b8df0d599f462ba7040884d4618";
    private static final String POD_UID = "1bf924dd-3f6f-11ea-983d-0abc95f90166";
    private static final Set<String> EPHEMERAL_TYPES = Set.of("tmpfs", "ramfs", "overlay", "aufs");

    @TempDir(factory = MountNamespace.InBuildDirectory.class)
    static Path probeDirectory;

    @TempDir(factory = MountNamespace.InBuildDirectory.class)
    Path base;

    /** The type of the disk that holds this build, which plays the persistent volume. */
    private static String diskType;
    /** Why these tests cannot run here, or null if they can; probed once for the class. */
    private static String unavailable;

    private MountNamespace namespace;

    @BeforeAll
    static void probeWhetherMountsCanBeMadeHere() throws Exception {
        unavailable = MountNamespace.whyUnavailable(probeDirectory).orElse(null);
        diskType = Files.getFileStore(probeDirectory).type();
        if (unavailable == null && EPHEMERAL_TYPES.contains(diskType)) {
            unavailable = "the build directory " + probeDirectory + " is on " + diskType
                    + ", which cannot play a persistent volume; build on a disk";
        }
    }

    @BeforeEach
    void namespace() {
        // Aborted per test, not for the class: Surefire reports a class-level abort as zero tests, silently.
        if (unavailable != null) {
            Assumptions.abort("real-mount test skipped: " + unavailable);
        }
        namespace = new MountNamespace(base);
    }

    @Test
    void tmpfsDirectoryIsEphemeralFilesystem() throws Exception {
        // given a tmpfs at the database's directory
        Path directory = base.resolve("t");
        Path lockDirectory = base.resolve("locks");

        // when
        Run run = namespace.run("mkdir -p \"$BASE/t\"; mount -t tmpfs canary-test \"$BASE/t\"",
                check(directory.resolve("app.db"), lockDirectory),
                "ls -A \"$BASE/t\" > \"$BASE/tmpfs-after-the-canary.txt\"");

        // then
        assertEquals("EPHEMERAL_FILESYSTEM", run.state(), run::toString);
        assertEquals(1, run.exitCode());
        assertEquals("tmpfs on " + directory, run.filesystem());
        assertContains("is in memory (tmpfs on " + directory + ")", run.message());
        assertContains("Mount a persistent volume at " + directory, run.message());
        // and nothing was written: no database, journal or lock
        assertEquals("", Files.readString(base.resolve("tmpfs-after-the-canary.txt")));
        assertFalse(Files.exists(lockDirectory));
    }

    @Test
    void switchedOffFilesystemCheckReachesFirstBootOnTmpfsAndKeepsTheFindingAsAWarning() throws Exception {
        // given a tmpfs at the database's directory, and the judgement switched off
        Path directory = base.resolve("t");
        List<String> args = new java.util.ArrayList<>(check(directory.resolve("app.db"), base.resolve("locks")));
        args.add("--no-filesystem-check");

        // when
        Run run = namespace.run("mkdir -p \"$BASE/t\"; mount -t tmpfs canary-test \"$BASE/t\"", args, "true");

        // then the redeploy test decides, and the finding is still reported
        assertEquals("FIRST_BOOT", run.state(), run::toString);
        assertEquals("tmpfs on " + directory, run.filesystem());
        assertEquals(1, run.warnings().size(), run::toString);
        assertContains("EPHEMERAL_FILESYSTEM not judged (--filesystem-check=false)", run.warnings().get(0));
    }

    @Test
    void containerLayerIsEphemeralFilesystemAndTheImagesDatabaseIsUntouched() throws Exception {
        // given a container whose image ships a database, and no volume
        Path imageDatabase = createDatabase(base.resolve("image/app/data/app.db"));
        byte[] shipped = Files.readAllBytes(imageDatabase);
        Files.createDirectories(base.resolve("image/tmp"));
        Path root = base.resolve("root");

        // when
        Run run = namespace.run(container("layer"), check(root.resolve("app/data/app.db"), containerLocks(root)), "");

        // then
        assertEquals("EPHEMERAL_FILESYSTEM", run.state(), run::toString);
        assertEquals("overlay on " + root, run.filesystem());
        assertContains("is on an overlay file system (overlay on " + root + ")", run.message());
        assertContains("Mount a persistent volume at " + root.resolve("app/data"), run.message());
        // and nothing was written: the writable layer is empty (not even a copy-up), the image unchanged
        assertEquals(List.of(), list(base.resolve("layer/upper")));
        assertArrayEquals(shipped, Files.readAllBytes(imageDatabase));
    }

    @Test
    void volumeOverTheContainerLayerIsFirstBootThenVerifiedAfterARedeploy() throws Exception {
        // given an image with a directory for the database, and a volume on disk
        Files.createDirectories(base.resolve("image/app/data"));
        Files.createDirectories(base.resolve("image/tmp"));
        Files.createDirectories(base.resolve("volume"));
        Path root = base.resolve("root");
        Path database = root.resolve("app/data/app.db");
        String bindVolume = "\nmount --bind \"$BASE/volume\" \"$BASE/root/app/data\"";

        // when the first container starts
        Run first = namespace.run(container("deploy1") + bindVolume, check(database, containerLocks(root)), "");

        // then the volume is judged a place that may persist, and the redeploy test begins
        assertEquals("FIRST_BOOT", first.state(), first::toString);
        assertEquals(diskType + " on " + root.resolve("app/data"), first.filesystem());
        assertEquals(List.of(), first.warnings());
        assertTrue(Files.exists(base.resolve("volume/app.db")));
        assertEquals(1, list(base.resolve("deploy1/upper/tmp/sqlite-persistence-canary")).size(),
                "the lock is in the first container's writable layer");

        // when the same container restarts (its writable layer and the lock kept)
        Run restart = namespace.run(container("deploy1") + bindVolume, check(database, containerLocks(root)), "");

        // then
        assertEquals("AWAITING_REDEPLOY", restart.state(), restart::toString);

        // when a new container is deployed: a fresh writable layer, the same volume
        Run redeploy = namespace.run(container("deploy2") + bindVolume, check(database, containerLocks(root)), "");

        // then
        assertEquals("VERIFIED", redeploy.state(), redeploy::toString);
        assertEquals(0, redeploy.exitCode());
        assertEquals(diskType + " on " + root.resolve("app/data"), redeploy.filesystem());
        assertEquals(List.of(), redeploy.warnings());
        assertFalse(Files.exists(base.resolve("deploy2/upper/tmp")), "a verified start writes no lock");
    }

    @Test
    void singleFileBoundFromAVolumeIsSingleFileMount() throws Exception {
        // given a database file on a volume, bound as a single file into the container
        Files.createDirectories(base.resolve("image/app/data"));
        Files.createDirectories(base.resolve("image/tmp"));
        Path volumeDatabase = createDatabase(base.resolve("volume/app.db"));
        byte[] before = Files.readAllBytes(volumeDatabase);
        Path root = base.resolve("root");
        Path database = root.resolve("app/data/app.db");

        // when
        Run run = namespace.run(container("layer")
                        + "\ntouch \"$BASE/root/app/data/app.db\""
                        + "\nmount --bind \"$BASE/volume/app.db\" \"$BASE/root/app/data/app.db\"",
                check(database, containerLocks(root)), "");

        // then
        assertEquals("SINGLE_FILE_MOUNT", run.state(), run::toString);
        assertEquals(1, run.exitCode());
        assertEquals(diskType + " on " + database, run.filesystem());
        assertContains("beside it in " + root.resolve("app/data") + ", which is on overlay on " + root, run.message());
        assertContains("Mount the volume at the directory " + root.resolve("app/data"), run.message());
        // and nothing was written: the volume's file unchanged, no journal beside the mount point, no lock
        assertArrayEquals(before, Files.readAllBytes(volumeDatabase));
        assertEquals(List.of("app.db"), list(base.resolve("layer/upper/app/data")));
        assertFalse(Files.exists(base.resolve("layer/upper/tmp")));
    }

    @Test
    void kubernetesEmptyDirIsEphemeralFilesystem() throws Exception {
        // given a disk-backed emptyDir: a directory of the node's kubelet, bound into the pod
        Path emptyDir = Files.createDirectories(
                base.resolve("node/var/lib/kubelet/pods/" + POD_UID + "/volumes/kubernetes.io~empty-dir/cache"));
        Path directory = Files.createDirectories(base.resolve("pod/cache"));
        Path lockDirectory = base.resolve("pod/tmp/sqlite-persistence-canary");

        // when
        Run run = namespace.run("mount --bind \"$BASE/node/var/lib/kubelet/pods/" + POD_UID
                + "/volumes/kubernetes.io~empty-dir/cache\" \"$BASE/pod/cache\"",
                check(directory.resolve("app.db"), lockDirectory), "");

        // then
        assertEquals("EPHEMERAL_FILESYSTEM", run.state(), run::toString);
        assertEquals(diskType + " on " + directory, run.filesystem());
        assertContains("is on the Kubernetes emptyDir volume \"cache\" (" + diskType + " on " + directory + ")",
                run.message());
        assertContains("Mount a persistent volume at " + directory, run.message());
        // and nothing was written
        assertEquals(List.of(), list(emptyDir));
        assertFalse(Files.exists(lockDirectory));
    }

    @Test
    void dockerAnonymousVolumeIsOnlyAWarning() throws Exception {
        // given an anonymous volume at the database's directory, and the container's /tmp a tmpfs
        Files.createDirectories(base.resolve("docker/volumes/" + ANONYMOUS_VOLUME_ID + "/_data"));
        Path directory = Files.createDirectories(base.resolve("container/data"));
        Files.createDirectories(base.resolve("container/tmp"));

        // when
        Run run = namespace.run("mount --bind \"$BASE/docker/volumes/" + ANONYMOUS_VOLUME_ID + "/_data\" "
                        + "\"$BASE/container/data\"\nmount -t tmpfs container-tmp \"$BASE/container/tmp\"",
                check(directory.resolve("app.db"), base.resolve("container/tmp/sqlite-persistence-canary")), "");

        // then the verdict is the redeploy test's, with one warning
        assertEquals("FIRST_BOOT", run.state(), run::toString);
        assertEquals(diskType + " on " + directory, run.filesystem());
        assertEquals(1, run.warnings().size(), run.warnings()::toString);
        assertContains("Docker anonymous volume (" + diskType + " on " + directory + ", volume " + ANONYMOUS_VOLUME_ID
                + ")", run.warnings().get(0));
        assertTrue(Files.exists(base.resolve("docker/volumes/" + ANONYMOUS_VOLUME_ID + "/_data/app.db")));
    }

    @Test
    void lockDirectoryOnTheDatabaseVolumeIsAWarning() throws Exception {
        // given a named volume at the database's directory, and the lock directory inside that volume
        Files.createDirectories(base.resolve("docker/volumes/app-data/_data"));
        Path directory = Files.createDirectories(base.resolve("container/data"));
        Path lockDirectory = directory.resolve("locks");

        // when
        Run run = namespace.run("mount --bind \"$BASE/docker/volumes/app-data/_data\" \"$BASE/container/data\"",
                check(directory.resolve("app.db"), lockDirectory), "");

        // then
        assertEquals("FIRST_BOOT", run.state(), run::toString);
        assertEquals(1, run.warnings().size(), run.warnings()::toString);
        assertContains("the lock directory " + lockDirectory + " is on the same file system as the database",
                run.warnings().get(0));
    }

    /** Mounts a container's root: the image as the lower layer, a writable layer in {@code $BASE/<layer>}. */
    private static String container(String layer) {
        return "mkdir -p \"$BASE/" + layer + "/upper\" \"$BASE/" + layer + "/work\" \"$BASE/root\"\n"
                + "mount -t overlay overlay -o \"lowerdir=$BASE/image,upperdir=$BASE/" + layer + "/upper,workdir=$BASE/"
                + layer + "/work\" \"$BASE/root\"";
    }

    private static Path containerLocks(Path root) {
        return root.resolve("tmp/sqlite-persistence-canary");
    }

    private static List<String> check(Path database, Path lockDirectory) {
        return List.of("check", "--database", database.toString(), "--lock-dir", lockDirectory.toString(), "--json");
    }

    private static Path createDatabase(Path file) throws IOException, SQLException {
        Files.createDirectories(file.getParent());
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)");
            statement.execute("INSERT INTO orders (item) VALUES ('shipped with the image')");
        }
        return file;
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void symbolicLinkOnDiskToADatabaseInTmpfsIsJudgedWhereTheDataLives() throws Exception {
        // given a database in a tmpfs, configured through a link on the disk
        Path link = base.resolve("app.db");
        Path directory = base.resolve("t");

        Run run = namespace.run("mkdir -p \"$BASE/t\"; mount -t tmpfs canary-test \"$BASE/t\"; "
                + ": > \"$BASE/t/app.db\"; ln -s \"$BASE/t/app.db\" \"$BASE/app.db\"",
                check(link, base.resolve("locks")), "true");

        assertEquals("EPHEMERAL_FILESYSTEM", run.state(), run::toString);
        assertEquals("tmpfs on " + directory, run.filesystem());
    }

    @Test
    void symbolicLinkInTmpfsToADatabaseOnAVolumeIsJudgedWhereTheDataLives() throws Exception {
        // given a link in a tmpfs that points to the database on the disk, which plays the volume
        Path volume = Files.createDirectories(base.resolve("volume"));
        createDatabase(volume.resolve("app.db"));
        Path link = base.resolve("t").resolve("app.db");

        Run run = namespace.run("mkdir -p \"$BASE/t\"; mount -t tmpfs canary-test \"$BASE/t\"; "
                + "ln -s \"$BASE/volume/app.db\" \"$BASE/t/app.db\"", check(link, base.resolve("locks")), "true");

        assertEquals("FIRST_BOOT", run.state(), run::toString);
        assertTrue(run.filesystem().startsWith(diskType + " on "), run::toString);
        assertEquals(1, io.github.sqlitecanary.SqliteFiles.markerRows(volume.resolve("app.db")), "the marker is not where the link points");
    }

    @ParameterizedTest
    @CsvSource({"noexec, does not allow executing files (mounted noexec)",
        "ro, is not writable (a read-only file system)"})
    void temporaryDirectoryWhereTheNativeLibraryCannotLoadIsNamedWithTheFixAndNoStackTrace(String option,
            String finding) throws Exception {
        // given a temporary directory mounted noexec (Docker's --tmpfs default) or read-only
        Path tmp = base.resolve("tmp");

        Run run = namespace.run("mkdir -p \"$BASE/tmp\"; mount -t tmpfs -o " + option + " canary-tmp \"$BASE/tmp\"",
                "-Djava.io.tmpdir=" + tmp, check(base.resolve("app.db"), base.resolve("locks")), "true");

        assertEquals("DATABASE_UNUSABLE", run.state(), run::toString);
        assertContains("SQLite's native library (sqlite-jdbc) cannot be loaded: the driver extracts it into " + tmp
                + ", which " + finding, run.message());
        assertContains("-Dorg.sqlite.tmpdir=", run.message());
        assertEquals("", run.stderr(), "the driver's stack traces reached the person");
        assertFalse(Files.exists(base.resolve("app.db")));
        assertFalse(Files.exists(base.resolve("locks")));
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected \"" + expected + "\" in: " + actual);
    }
}
