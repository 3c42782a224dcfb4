package io.github.sqlitecanary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.internal.MountInfo.Mount;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MountInfoTest {

    /** A captured {@code /proc/self/mountinfo} from {@code src/test/resources/mountinfo} (see SOURCES.md there). */
    static String sample(String name) {
        try (InputStream in = MountInfoTest.class.getResourceAsStream("/mountinfo/" + name + ".mountinfo")) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void dockerContainerRootIsReadWithAllItsFields() {
        // given a Docker container on native Linux
        MountInfo table = MountInfo.parse(sample("docker-linux-cgroupv2-precommit"));

        // when the mount holding an ordinary directory of the image is looked up
        Mount root = table.nearestMount(Path.of("/app/data")).orElseThrow();

        // then it is the overlay root, every field in its place
        assertEquals(721, root.id());
        assertEquals(386, root.parentId());
        assertEquals("0:45", root.device());
        assertEquals("/", root.root());
        assertEquals("/", root.mountPoint());
        assertEquals("rw,relatime", root.options());
        assertEquals("overlay", root.type());
        assertEquals("overlay", root.source());
        assertTrue(root.superOptions().contains("upperdir=/var/lib/docker/overlay2/"), root.superOptions());
        assertEquals(24, table.mounts().size());
    }

    @Test
    void optionalFieldsBeforeTheSeparatorAreSkipped() {
        // given a Docker Desktop anonymous volume whose line carries "master:28"
        MountInfo table = MountInfo.parse(sample("docker-desktop-anon-volume-newrelic"));

        // when
        Mount data = table.mountAt(Path.of("/data")).orElseThrow();

        // then the fields after "-" are still type, source and super options
        assertEquals("ext4", data.type());
        assertEquals("/dev/vda1", data.source());
        assertEquals("rw", data.superOptions());
        assertEquals("/docker/volumes/3237dea4f8022f1addd7b6f072a9c847eb3e5b8df0d599f462ba7040884d4618/_data",
                data.root());
    }

    @Test
    void nearestMountIsTheLongestMountPointThatHoldsThePath() {
        // given a Kubernetes pod with a PVC (a whole block device) below the overlay root
        MountInfo table = MountInfo.parse(sample("k8s-docker-cockroachdb-eks"));

        // when / then
        assertEquals("/dev/nvme2n1",
                table.nearestMount(Path.of("/cockroach/cockroach-data/app.db")).orElseThrow().source());
        assertEquals("/cockroach/cockroach-data",
                table.nearestMount(Path.of("/cockroach/cockroach-data")).orElseThrow().mountPoint());
        // a sibling whose name only starts like the mount point is not inside it
        assertEquals("/", table.nearestMount(Path.of("/cockroach/cockroach-data-old/app.db")).orElseThrow()
                .mountPoint());
    }

    @Test
    void mountAtIsEmptyForAPathThatIsNoMountPoint() {
        // given
        MountInfo table = MountInfo.parse(sample("docker-linux-cgroupv2-precommit"));

        // when / then: /etc/hosts is a single-file bind mount, /etc is not a mount point
        assertEquals("/dev/sda3", table.mountAt(Path.of("/etc/hosts")).orElseThrow().source());
        assertEquals(Optional.empty(), table.mountAt(Path.of("/etc")));
    }

    @Test
    void mountsListedBeforeTheRootTheySitOnAreFound() {
        // given rootless Podman, whose mountinfo starts with /etc binds before the "/" line
        MountInfo table = MountInfo.parse(sample("podman-rootless-cgroupv2-precommit"));

        // when / then
        assertEquals("tmpfs", table.nearestMount(Path.of("/etc/hosts")).orElseThrow().type());
        assertEquals(690, table.nearestMount(Path.of("/srv/app.db")).orElseThrow().id());
    }

    @Test
    void theTopOfStackedMountsIsTheOneSeenWhateverTheLineOrder() {
        // given (synthetic) a volume mounted over another at /data, listed top first
        String text = "201 200 8:17 / /data rw,relatime - ext4 /dev/sdb1 rw\n"
                + "200 1 0:40 / /data rw,relatime - tmpfs tmpfs rw\n"
                + "1 0 0:30 / / rw,relatime - overlay overlay rw\n";

        // when
        MountInfo table = MountInfo.parse(text);

        // then
        assertEquals(201, table.mountAt(Path.of("/data")).orElseThrow().id());
        assertEquals(201, table.nearestMount(Path.of("/data/app.db")).orElseThrow().id());
    }

    @Test
    void octalEscapesInPathsAndSourcesAreDecoded() {
        // given host lines with \040, \011, \012 and \134 escapes
        MountInfo table = MountInfo.parse(sample("host-escapes-040-cifs-newline-mobysys"));

        // then
        assertEquals("ext4", table.mountAt(Path.of("/mnt/foo bar")).orElseThrow().type());
        assertEquals("//foo/BLA BLA BLA/", table.mountAt(Path.of("/DATA/foo_bla_bla")).orElseThrow().source());
        String odd = "/tmp/newline\ntab\tspace backslash\\quote1'quote2\"";
        Mount escaped = table.mountAt(Path.of(odd)).orElseThrow();
        assertEquals(odd, escaped.root());
        assertEquals(odd, escaped.mountPoint());
    }

    @Test
    void escapedUtf8BytesAndLiteralUtf8AreBothDecoded() {
        // given (synthetic) an escaped space next to raw UTF-8, and UTF-8 bytes written as octal escapes
        String text = "30 1 8:1 / /srv/caf\u00e9\\040data rw - ext4 /dev/sda1 rw\n"
                + "31 1 8:1 /\\303\\244 /srv/b rw - ext4 /dev/sda1 rw\n";

        // when
        MountInfo table = MountInfo.parse(text);

        // then
        assertEquals(30, table.mountAt(Path.of("/srv/caf\u00e9 data")).orElseThrow().id());
        assertEquals("/\u00e4", table.mountAt(Path.of("/srv/b")).orElseThrow().root());
        assertEquals("a\\9", MountInfo.unescape("a\\9"), "a backslash without three octal digits stays");
    }

    @Test
    void anEmptySourceFieldIsKeptEmpty() {
        // given a kernel before 5.1 that wrote an empty source as two spaces
        MountInfo table = MountInfo.parse(sample("host-empty-source-tmpfs-mobysys"));

        // when
        Mount mount = table.mountAt(Path.of("/tmp/bb")).orElseThrow();

        // then
        assertEquals("tmpfs", mount.type());
        assertEquals("", mount.source());
        assertEquals("rw", mount.superOptions());
    }

    @Test
    void linesThatAreNotMountsAreSkipped() {
        // given (synthetic) garbage, a line without "-", a bad device, and one good line
        String text = "garbage\n\n"
                + "40 1 8:1 / /a rw shared:1 ext4 /dev/sda1 rw\n"
                + "41 1 eight / /b rw - ext4 /dev/sda1 rw\n"
                + "x 1 8:1 / /c rw - ext4 /dev/sda1 rw\n"
                + "42 1 8:1 / /d rw - ext4 /dev/sda1 rw\n";

        // when
        MountInfo table = MountInfo.parse(text);

        // then
        assertEquals(1, table.mounts().size());
        assertEquals(42, table.mounts().get(0).id());
    }

    @Test
    void everyCapturedSampleParsesWithoutLosingALine() {
        // given every captured sample, each line a real mount
        for (String name : new String[] {"docker-btrfs-subvolume-root-neuvector", "docker-desktop-anon-volume-newrelic",
            "docker-desktop-mac-grpcfuse-bind-otelpy", "docker-desktop-precommit", "docker-linux-cgroupv1-precommit",
            "docker-linux-cgroupv2-precommit", "docker-orbstack-named-volume-btrfs", "host-empty-source-tmpfs-mobysys",
            "host-escapes-040-cifs-newline-mobysys", "k8s-containerd-nfs4-pvc-configmap-kwdb",
            "k8s-containerd-selinux-emptydir", "k8s-crio-btrfs-configmap-neuvector",
            "k8s-docker-calico-configmap-neuvector", "k8s-docker-cockroachdb-eks", "k8s-gke-containerd-gcfs",
            "k8s-k3d-containerd-in-docker-secret-subpath-neuvector", "k8s-minikube-docker-configmap-vimeo",
            "k8s-minikube-docker-excerpt", "k8s-node-host-k3s-csi-pvc-directpv",
            "podman-rootful-selinux-cgroupv2-cockroach", "podman-rootless-cgroupv1-precommit",
            "podman-rootless-cgroupv2-precommit", "podman-rootless-fuse-overlayfs-excerpt",
            "wsl2-distro-9p-drvfs-lkml2020"}) {
            String text = sample(name);
            long lines = text.lines().filter(line -> !line.isBlank()).count();

            // when
            MountInfo table = MountInfo.parse(text);

            // then
            assertEquals(lines, table.mounts().size(), name);
        }
    }
}
