package io.github.sqlitecanary;

import static io.github.sqlitecanary.PersistenceCanaryTest.canary;
import static io.github.sqlitecanary.PersistenceCanaryTest.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kubernetes init container that runs {@code check} before the application, acted out with two
 * canaries on one database: each container has its own {@code /tmp}, so a lock written by the init
 * container is never seen by the application unless the lock directory is a volume both mount (an
 * {@code emptyDir}: wiped with the pod, kept across container restarts).
 */
class InitContainerCheckTest {

    @TempDir
    Path pod;

    private Path database() throws IOException {
        return Files.createDirectories(pod.resolve("data")).resolve("app.db");
    }

    private CanaryReport check(Path database, Path lockDirectory, String deployId) {
        return only(canary(CanaryOptions.builder().database(database.toString()).lockDirectory(lockDirectory)
                .deployId(deployId).filesystemCheck(false).build()).check());
    }

    @Test
    void checkInAnInitContainerWithItsOwnTmpLetsTheFirstPodPassWithoutADeployId() throws IOException {
        Path database = database();
        assertEquals(CanaryState.FIRST_BOOT, check(database, pod.resolve("init-tmp/canary"), "none").state());

        // The application's first boot, in the same pod: a marker, and no lock in its own /tmp.
        CanaryReport app = check(database, pod.resolve("app-tmp/canary"), "none");

        assertEquals(CanaryState.VERIFIED, app.state(),
                "the hazard this test documents: persistence 'verified' by a pod that was never redeployed");
    }

    @Test
    void thePodsUidHoldsBackTheFalseVerified() throws IOException {
        Path database = database();
        check(database, pod.resolve("init-tmp/canary"), "pod-uid-1");

        CanaryReport app = check(database, pod.resolve("app-tmp/canary"), "pod-uid-1");

        assertEquals(CanaryState.AWAITING_REDEPLOY, app.state(), app.message());
    }

    @Test
    void aLockDirectoryOnAnEmptyDirSharedByBothContainersKeepsTheFirstPodDownUntilARedeploy() throws IOException {
        Path database = database();
        Path emptyDir = Files.createDirectories(pod.resolve("canary-lock"));
        Path shared = emptyDir.resolve("locks");
        assertEquals(CanaryState.FIRST_BOOT, check(database, shared, "none").state());

        CanaryReport app = check(database, shared, "none");
        assertEquals(CanaryState.AWAITING_REDEPLOY, app.state(), "the application sees the init container's lock");

        // A redeploy: a new pod, a new (empty) emptyDir.
        deleteTree(emptyDir);
        Files.createDirectories(emptyDir);
        assertEquals(CanaryState.VERIFIED, check(database, shared, "none").state());
        assertEquals(CanaryState.VERIFIED, check(database, shared, "none").state(), "the application after it");
    }

    @Test
    void anEmptyDirsWorldWritableRootIsRefusedUnlessSticky() throws IOException {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX only");
        Path database = database();
        Path emptyDir = Files.createDirectories(pod.resolve("canary-lock"));
        Files.setPosixFilePermissions(emptyDir, PosixFilePermissions.fromString("rwxrwxrwx")); // as Kubernetes makes it

        CanaryReport refused = check(database, emptyDir.resolve("locks"), "none");
        assertEquals(CanaryState.LOCK_UNUSABLE, refused.state(), refused.message());
        assertTrue(refused.message().contains("writable by other users"), refused.message());

        // chmod 1777, as for /tmp (a root init step can do it): only an entry's owner may move it.
        Files.setAttribute(emptyDir, "unix:mode", 01777);
        assertEquals(CanaryState.FIRST_BOOT, check(database, emptyDir.resolve("locks"), "none").state());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
