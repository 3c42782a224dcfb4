package io.github.sqlitecanary.internal;

import static io.github.sqlitecanary.internal.MountInfoTest.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's judgement on mount tables captured in real containers, pods and VMs. */
class FileSystemProbeTest {

    private static final Path CONTAINER_TMP_LOCKS = Path.of("/tmp/sqlite-persistence-canary");

    private static Storage examine(String sample, String database) {
        return examine(sample, database, CONTAINER_TMP_LOCKS);
    }

    private static Storage examine(String sample, String database, Path lockDirectory) {
        return new FileSystemProbe(sample(sample)).examine(Path.of(database), lockDirectory);
    }

    private static Storage.Finding verdict(Storage storage) {
        return storage.neverPersists().orElseThrow(() -> new AssertionError("no verdict; warnings: "
                + storage.warnings()));
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected \"" + expected + "\" in: " + actual);
    }

    private static void assertMayPersist(Storage storage) {
        assertEquals(Optional.empty(), storage.neverPersists().map(Storage.Finding::message));
    }

    // EPHEMERAL_FILESYSTEM

    @Test
    void dockerContainerLayerIsEphemeralFilesystem() {
        // given a Docker container with no volume, when a database in the image's /app/data is examined
        Storage storage = examine("docker-linux-cgroupv2-precommit", "/app/data/app.db");

        // then
        assertEquals("overlay on /", storage.filesystem());
        assertEquals(Storage.Kind.EPHEMERAL_FILESYSTEM, verdict(storage).kind());
        String message = verdict(storage).message();
        assertContains("/app/data/app.db is on the container's writable layer (overlay on /)", message);
        assertContains("Mount a persistent volume at /app/data", message);
    }

    @Test
    void rootlessPodmanFuseOverlayfsLayerIsEphemeralFilesystem() {
        Storage storage = examine("podman-rootless-fuse-overlayfs-excerpt", "/var/lib/app/app.db");

        assertEquals("fuse.fuse-overlayfs on /", storage.filesystem());
        assertEquals(Storage.Kind.EPHEMERAL_FILESYSTEM, verdict(storage).kind());
    }

    @Test
    void btrfsContainerLayersOfDockerAndCrioAreEphemeralFilesystem() {
        // given container roots that are btrfs subvolumes of the runtime, not overlays
        for (String sample : List.of("docker-btrfs-subvolume-root-neuvector", "k8s-crio-btrfs-configmap-neuvector")) {
            // when
            Storage storage = examine(sample, "/data/app.db");

            // then
            assertEquals("btrfs on /", storage.filesystem(), sample);
            assertEquals(Storage.Kind.EPHEMERAL_FILESYSTEM, verdict(storage).kind(), sample);
            assertContains("on the container's writable layer, a btrfs subvolume of the container runtime (btrfs on /)",
                    verdict(storage).message());
        }
    }

    @Test
    void kubernetesDiskBackedEmptyDirIsEphemeralFilesystem() {
        // given a pod whose emptyDir is a bind of the node's xfs disk, when a database there is examined
        Storage storage = examine("k8s-docker-cockroachdb-eks", "/etc/cockroach-env/app.db");

        // then: the disk is persistent, the emptyDir on it is not
        assertEquals("xfs on /etc/cockroach-env", storage.filesystem());
        assertEquals(Storage.Kind.EPHEMERAL_FILESYSTEM, verdict(storage).kind());
        assertContains("/etc/cockroach-env/app.db is on the Kubernetes emptyDir volume \"cockroach-env\" "
                + "(xfs on /etc/cockroach-env), which does not survive a redeploy", verdict(storage).message());
        assertContains("Mount a persistent volume at /etc/cockroach-env", verdict(storage).message());
    }

    @Test
    void kubernetesEmptyDirOnContainerdWithSelinuxIsEphemeralFilesystem() {
        Storage storage = examine("k8s-containerd-selinux-emptydir", "/html/app.db");

        assertEquals("ext4 on /html", storage.filesystem());
        assertContains("emptyDir volume \"html\"", verdict(storage).message());
    }

    @Test
    void kubernetesSecretTmpfsIsEphemeralFilesystem() {
        Storage storage = examine("k8s-docker-cockroachdb-eks", "/cockroach/cockroach-certs/app.db");

        assertEquals("tmpfs on /cockroach/cockroach-certs", storage.filesystem());
        assertEquals(Storage.Kind.EPHEMERAL_FILESYSTEM, verdict(storage).kind());
        assertContains("is in memory (tmpfs on /cockroach/cockroach-certs)", verdict(storage).message());
    }

    @Test
    void kubernetesConfigMapVolumeIsEphemeralFilesystem() {
        // given a configMap, a read-only bind of the node's disk
        Storage storage = examine("k8s-containerd-nfs4-pvc-configmap-kwdb", "/opt/app.db");

        assertEquals("ext4 on /opt", storage.filesystem());
        assertContains("the Kubernetes configMap volume \"server-entrypoint\"", verdict(storage).message());
    }

    @Test
    void tmpfsBelowAVolumeIsEphemeralEvenOnAMinikubeNode() {
        Storage storage = examine("k8s-minikube-docker-configmap-vimeo", "/tmp/app.db");

        assertEquals("tmpfs on /tmp", storage.filesystem());
        assertEquals(Storage.Kind.EPHEMERAL_FILESYSTEM, verdict(storage).kind());
    }

    // SINGLE_FILE_MOUNT

    @Test
    void fileBoundOntoTheContainerLayerIsSingleFileMount() {
        // given /etc/hosts, a single file bound from the node's disk onto the overlay root
        Storage storage = examine("docker-linux-cgroupv2-precommit", "/etc/hosts");

        // then the file's mount is judged, before its ephemeral directory
        assertEquals("ext4 on /etc/hosts", storage.filesystem());
        assertEquals(Storage.Kind.SINGLE_FILE_MOUNT, verdict(storage).kind());
        String message = verdict(storage).message();
        assertContains("-wal, -shm and -journal files beside it in /etc, which is on overlay on /", message);
        assertContains("Mount the volume at the directory /etc instead of the file", message);
    }

    @Test
    void singleFileMountOfAPersistentDirectoryIsStillSingleFileMount() {
        // given WSL2's /init, a 9p single file on the ext4 root
        Storage storage = examine("wsl2-distro-9p-drvfs-lkml2020", "/init");

        assertEquals(Storage.Kind.SINGLE_FILE_MOUNT, verdict(storage).kind());
        assertEquals("9p on /init", storage.filesystem());
    }

    // May persist: no verdict

    @Test
    void kubernetesBlockDevicePvcMayPersistWithoutWarnings() {
        Storage storage = examine("k8s-docker-cockroachdb-eks", "/cockroach/cockroach-data/app.db");

        assertEquals("ext4 on /cockroach/cockroach-data", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(List.of(), storage.warnings());
    }

    @Test
    void dockerNamedVolumeMayPersistWithoutWarnings() {
        Storage storage = examine("docker-orbstack-named-volume-btrfs", "/data/app.db");

        assertEquals("btrfs on /data", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(List.of(), storage.warnings());
    }

    @Test
    void liteFsMountMayPersistWithoutWarnings() {
        // given (synthetic: no real capture was found) LiteFS's FUSE mount on a container
        String table = sample("docker-linux-cgroupv2-precommit")
                + "900 721 0:90 / /litefs rw,nosuid,nodev,relatime - fuse.litefs litefs rw,user_id=0,group_id=0\n";

        Storage storage = new FileSystemProbe(table).examine(Path.of("/litefs/app.db"), CONTAINER_TMP_LOCKS);

        assertEquals("fuse.litefs on /litefs", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(List.of(), storage.warnings());
    }

    // Warnings

    @Test
    void nfsPvcIsAWarningNotAVerdict() {
        Storage storage = examine("k8s-containerd-nfs4-pvc-configmap-kwdb", "/kaiwudb/certs/app.db");

        assertEquals("nfs4 on /kaiwudb/certs", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(1, storage.warnings().size(), storage.warnings()::toString);
        String warning = storage.warnings().get(0);
        assertContains("the database directory /kaiwudb/certs is on a network file system (nfs4 on /kaiwudb/certs, "
                + "from 20.20.20.43:/data/k8s/nfs_share/pvc-2108ee90-b185-43f7-a95c-21d9a4d84a67)", warning);
        assertContains("journal_mode=DELETE", warning);
    }

    @Test
    void cifsShareWithEscapedSourceIsAWarning() {
        Storage storage = examine("host-escapes-040-cifs-newline-mobysys", "/DATA/foo_bla_bla/app.db");

        assertMayPersist(storage);
        assertContains("network file system (cifs on /DATA/foo_bla_bla, from //foo/BLA BLA BLA/)",
                storage.warnings().get(0));
    }

    @Test
    void wsl2WindowsDriveOver9pIsAWarning() {
        Storage storage = examine("wsl2-distro-9p-drvfs-lkml2020", "/mnt/c/Users/me/app.db");

        assertEquals("9p on /mnt/c", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(1, storage.warnings().size(), storage.warnings()::toString);
        assertContains("shared from a host or virtual machine (9p on /mnt/c, from C:\\)", storage.warnings().get(0));
    }

    @Test
    void dockerDesktopGrpcfuseBindIsAWarning() {
        Storage storage = examine("docker-desktop-mac-grpcfuse-bind-otelpy",
                "/development/otel/opentelemetry-python/app.db");

        assertEquals("fuse.grpcfuse on /development/otel/opentelemetry-python", storage.filesystem());
        assertMayPersist(storage);
        assertContains("shared from a host or virtual machine", storage.warnings().get(0));
    }

    @Test
    void objectStorageFuseMountIsAWarning() {
        // given (synthetic: no real capture was found) an s3fs mount in a container
        String table = sample("docker-linux-cgroupv2-precommit")
                + "900 721 0:90 / /data rw,nosuid,nodev,relatime - fuse.s3fs s3fs rw,user_id=0,group_id=0\n";

        Storage storage = new FileSystemProbe(table).examine(Path.of("/data/app.db"), CONTAINER_TMP_LOCKS);

        assertMayPersist(storage);
        assertContains("object-storage FUSE mount (fuse.s3fs on /data, from s3fs)", storage.warnings().get(0));
    }

    @Test
    void dockerAnonymousVolumeIsAWarning() {
        Storage storage = examine("docker-desktop-anon-volume-newrelic", "/data/app.db");

        assertEquals("ext4 on /data", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(1, storage.warnings().size(), storage.warnings()::toString);
        String warning = storage.warnings().get(0);
        assertContains("Docker anonymous volume (ext4 on /data, volume "
                + "3237dea4f8022f1addd7b6f072a9c847eb3e5b8df0d599f462ba7040884d4618)", warning);
        assertContains("Use a named volume (-v app-data:/data)", warning);
    }

    @Test
    void lockDirectoryOnTheDatabaseVolumeIsAWarning() {
        // given a named volume at /data, and the lock directory configured inside it
        Storage storage = examine("docker-orbstack-named-volume-btrfs", "/data/app.db", Path.of("/data/locks"));

        assertMayPersist(storage);
        assertEquals(1, storage.warnings().size(), storage.warnings()::toString);
        assertContains("the lock directory /data/locks is on the same file system as the database (btrfs on /data, "
                + "device 0:37)", storage.warnings().get(0));
        assertContains("Point sqlite.canary.lock-dir at a directory that every deploy wipes",
                storage.warnings().get(0));
    }

    @Test
    void lockDirectoryBesideADatabaseOnTheRootFileSystemIsNoWarning() {
        // given WSL2 (no container): the database in a home directory, the lock in /tmp, both on the root disk,
        // which a redeploy may replace whole (database and lock together) or keep whole; the canary cannot tell
        Storage storage = examine("wsl2-distro-9p-drvfs-lkml2020", "/home/me/app.db");

        assertEquals("ext4 on /", storage.filesystem());
        assertMayPersist(storage);
        assertEquals(List.of(), storage.warnings());
    }

    @Test
    void lockDirectoryOnAVolumeOfTheRootDiskIsAWarning() {
        // given (synthetic bind line) WSL2 with the database on a bind of the root disk at /srv/data, the lock
        // directory inside it
        String table = sample("wsl2-distro-9p-drvfs-lkml2020") + "92 29 8:0 /var/app /srv/data rw,relatime - ext4 "
                + "/dev/sda rw\n";

        Storage storage = new FileSystemProbe(table).examine(Path.of("/srv/data/app.db"), Path.of("/srv/data/locks"));

        assertContains("the lock directory /srv/data/locks is on the same file system as the database (ext4 on "
                + "/srv/data, device 8:0)", storage.warnings().get(0));
    }

    @Test
    void lockDirectoryOnEphemeralStorageOfTheSameDiskIsNoWarning() {
        // given (synthetic hostPath line) a database on a hostPath of the node's disk, and the lock on an
        // emptyDir of that same disk, which a new pod does not keep
        String table = sample("k8s-docker-cockroachdb-eks")
                + "900 625 259:1 /srv/app-data /srv/data rw,noatime - xfs /dev/nvme0n1p1 rw,attr2,inode64,noquota\n";
        FileSystemProbe probe = new FileSystemProbe(table);

        // when / then
        assertEquals(List.of(), probe.examine(Path.of("/srv/data/app.db"), Path.of("/etc/cockroach-env/locks"))
                .warnings());
        assertContains("the lock directory /srv/data/locks is on the same file system",
                probe.examine(Path.of("/srv/data/app.db"), Path.of("/srv/data/locks")).warnings().get(0));
    }

    @Test
    void lockDirectoryInTheContainerTmpIsNoWarning() {
        Storage storage = examine("docker-desktop-anon-volume-newrelic", "/data/app.db");

        assertTrue(storage.warnings().stream().noneMatch(w -> w.contains("lock directory")),
                storage.warnings()::toString);
    }

    @Test
    void aSymbolicallyLinkedDirectoryIsJudgedWhereItLeads(@TempDir Path directory) throws IOException {
        // given (synthetic table) a volume mounted on <tmp>/volume over an overlay root, and the
        // application's data directory a symbolic link to it
        Path volume = Files.createDirectories(directory.resolve("volume")).toRealPath();
        Path link = Files.createSymbolicLink(Files.createDirectories(directory.resolve("app")).resolve("data"), volume);
        Path mountInfo = Files.writeString(directory.resolve("mountinfo"),
                "1 0 0:30 / / rw,relatime - overlay overlay rw\n"
                + "2 1 8:17 / " + volume + " rw,relatime - ext4 /dev/sdb1 rw\n");
        FileSystemProbe.LocalFiles linksResolvedNoJdkType = new FileSystemProbe.LocalFiles() {
            @Override
            public Path realPath(Path path) {
                return FileSystemProbe.LocalFiles.THIS_MACHINE.realPath(path);
            }

            @Override
            public boolean isDirectory(Path path) {
                return Files.isDirectory(path);
            }

            @Override
            public Optional<String> fileStoreType(Path path) {
                return Optional.empty(); // the table is synthetic: the JDK would name this machine's disk
            }
        };

        // when
        Storage storage = new FileSystemProbe(mountInfo, linksResolvedNoJdkType)
                .examine(link.resolve("app.db"), Path.of("/tmp/locks"));

        // then the volume, not the overlay the link sits on
        assertEquals("ext4 on " + volume, storage.filesystem());
        assertMayPersist(storage);
    }

    // Judging nothing

    @Test
    void withoutAMountTableNothingIsJudged(@TempDir Path directory) {
        // given a machine without /proc/self/mountinfo (off Linux)
        FileSystemProbe probe = new FileSystemProbe(directory.resolve("no-mountinfo"),
                FileSystemProbe.LocalFiles.THIS_MACHINE);

        // when
        Storage storage = probe.examine(directory.resolve("app.db"), directory.resolve("locks"));

        // then
        assertEquals(Storage.unknown(), storage);
    }

    @Test
    void anUnreadableMountTableIsAWarningAndJudgesNothing(@TempDir Path directory) {
        // given a mount table that cannot be read (here: a directory)
        FileSystemProbe probe = new FileSystemProbe(directory, FileSystemProbe.LocalFiles.THIS_MACHINE);

        // when
        Storage storage = probe.examine(directory.resolve("app.db"), directory.resolve("locks"));

        // then
        assertEquals("unknown", storage.filesystem());
        assertMayPersist(storage);
        assertContains("the mount table " + directory + " could not be read", storage.warnings().get(0));
    }

    @Test
    void aDirectoryInNoMountIsAWarningAndJudgesNothing() {
        // given a capture without a "/" line (Docker Desktop's test fixture)
        Storage storage = examine("docker-desktop-mac-grpcfuse-bind-otelpy", "/srv/app.db");

        assertEquals("unknown", storage.filesystem());
        assertMayPersist(storage);
        assertContains("no mount in /proc/self/mountinfo holds the database directory /srv", storage.warnings().get(0));
    }

    @Test
    void whereTheJdkDisagreesWithTheMountTableNothingIsJudged(@TempDir Path directory) throws IOException {
        // given a mount table that puts /app/data on the overlay root, and a JDK that finds ext4 there
        Path mountInfo = Files.writeString(directory.resolve("mountinfo"), sample("docker-linux-cgroupv2-precommit"));
        FileSystemProbe.LocalFiles jdkSaysExt4 = new FileSystemProbe.LocalFiles() {
            @Override
            public Path realPath(Path path) {
                return path;
            }

            @Override
            public boolean isDirectory(Path path) {
                return false;
            }

            @Override
            public Optional<String> fileStoreType(Path path) {
                return Optional.of("ext4");
            }
        };

        // when
        Storage storage = new FileSystemProbe(mountInfo, jdkSaysExt4)
                .examine(Path.of("/app/data/app.db"), CONTAINER_TMP_LOCKS);

        // then
        assertEquals("ext4", storage.filesystem());
        assertMayPersist(storage);
        assertContains("the JDK finds the database directory /app/data on ext4, but the nearest mount in "
                + "/proc/self/mountinfo is overlay on /", storage.warnings().get(0));
    }

    @Test
    void thisMachineIsExaminedWithoutThrowing(@TempDir Path directory) {
        // given this machine's own mount table, when a temporary directory is examined
        Storage storage = FileSystemProbe.ofThisMachine().examine(directory.resolve("app.db"), directory.resolve("l"));

        // then the file system is named as the JDK names it, with a mount point, wherever there is a mount table
        if (Files.isReadable(FileSystemProbe.PROC_SELF_MOUNTINFO)) {
            assertTrue(storage.filesystem().matches("\\S+ on /.*"), storage.filesystem());
        } else {
            assertEquals(Storage.unknown(), storage);
        }
    }

    // Rootful Podman, captured on this project's machines (the scenarios of containers/CliInContainersIT)

    @Test
    void rootfulPodmanContainersAreJudgedAsTheRealContainersWere() {
        record Case(String sample, String database, String filesystem, String verdict, String warning) {
        }
        for (Case c : List.of(
                new Case("podman-rootful-overlay-root", "/data/app.db", "overlay on /",
                        "EPHEMERAL_FILESYSTEM", null),
                new Case("podman-rootful-tmpfs-data", "/data/app.db", "tmpfs on /data",
                        "EPHEMERAL_FILESYSTEM", null),
                new Case("podman-rootful-single-file-bind", "/data/app.db", "ext4 on /data/app.db",
                        "SINGLE_FILE_MOUNT", null),
                new Case("podman-rootful-named-volume", "/data/app.db", "ext4 on /data", null, null),
                new Case("podman-rootful-read-only-root-tmpfs-tmp", "/data/app.db", "ext4 on /data", null, null),
                new Case("podman-rootful-anonymous-volume", "/data/app.db", "ext4 on /data", null,
                        "is on a Docker anonymous volume"),
                new Case("podman-rootful-tmp-is-volume", "/data/app.db", "ext4 on /data", null,
                        "the lock directory /tmp/sqlite-persistence-canary is on the same file system as the database"))) {
            // when
            Storage storage = examine(c.sample(), c.database());

            // then
            assertEquals(c.filesystem(), storage.filesystem(), c.sample());
            assertEquals(Optional.ofNullable(c.verdict()), storage.neverPersists().map(finding -> finding.kind().name()),
                    c.sample());
            if (c.warning() == null) {
                assertEquals(List.of(), storage.warnings(), c.sample());
            } else {
                assertEquals(1, storage.warnings().size(), c.sample() + ": " + storage.warnings());
                assertContains(c.warning(), storage.warnings().get(0));
            }
        }
    }
}
