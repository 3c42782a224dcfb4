package io.github.sqlitecanary.internal;

import io.github.sqlitecanary.internal.MountInfo.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges the storage that holds a database: its file system, whether it can ever survive a
 * redeploy, and what is risky about it.
 *
 * <p>The JDK's {@link java.nio.file.FileStore} names the file-system type; only
 * {@code /proc/self/mountinfo} tells where a mount comes from (a Docker volume's or a Kubernetes
 * emptyDir's directory on the node), whether a file is itself a mount point, and where the nearest
 * mount is. The mount table is read once per {@link #examine}. Where the two disagree, or there is
 * no mount table (off Linux), nothing is judged: the redeploy test still proves persistence, so a
 * probe that is unsure holds nothing back.
 */
public final class FileSystemProbe {

    static final Path PROC_SELF_MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** A container's writable layer: thrown away with the container. */
    private static final Set<String> CONTAINER_LAYERS = Set.of("overlay", "aufs", "fuse.fuse-overlayfs");
    private static final Set<String> MEMORY = Set.of("tmpfs", "ramfs");
    private static final Set<String> NETWORK = Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph",
            "fuse.ceph-fuse", "glusterfs", "fuse.glusterfs", "lustre", "fuse.sshfs");
    private static final Set<String> HOST_SHARED = Set.of("9p", "virtiofs", "fuse.grpcfuse", "fakeowner",
            "osxfs", "vboxsf", "prl_fs", "fuse.vmhgfs-fuse");
    private static final Set<String> OBJECT_STORAGE = Set.of("fuse.s3fs", "fuse.gcsfuse", "fuse.rclone",
            "fuse.goofys", "fuse.mountpoint-s3", "fuse.blobfuse", "fuse.blobfuse2", "fuse.juicefs");
    // fuse.litefs is deliberately absent: LiteFS is a FUSE file system written for SQLite, with its own
    // locking and replication; whether its data directory persists is what the redeploy test proves.

    // The directory of a pod's volume on the node, wherever the kubelet's root is (/var/lib/kubelet,
    // /lib/kubelet under a separate /var, or inside a Docker volume for k3d).
    private static final Pattern EMPTY_DIR = Pattern.compile("/pods/[^/]+/volumes/kubernetes\\.io~empty-dir/([^/]+)");
    private static final Pattern KUBELET_FILLED = Pattern.compile(
            "/pods/[^/]+/volumes/kubernetes\\.io~(configmap|secret|projected|downward-api)/([^/]+)");
    // A container root that is a btrfs subvolume of Docker's or CRI-O/Podman's btrfs storage driver.
    private static final Pattern BTRFS_CONTAINER_LAYER = Pattern.compile(
            "/(?:docker|containers/storage)/btrfs/subvolumes/[0-9a-f]{64}(?:-init)?/?$");
    private static final Pattern ANONYMOUS_VOLUME = Pattern.compile("/volumes/([0-9a-f]{64})/_data(?:/|$)");

    private final Path mountInfoFile;
    private final String capturedMountInfo;
    private final LocalFiles files;

    private FileSystemProbe(Path mountInfoFile, String capturedMountInfo, LocalFiles files) {
        this.mountInfoFile = mountInfoFile;
        this.capturedMountInfo = capturedMountInfo;
        this.files = files;
    }

    public static FileSystemProbe ofThisMachine() {
        return new FileSystemProbe(PROC_SELF_MOUNTINFO, null, LocalFiles.THIS_MACHINE);
    }

    /** Reads the mount table from {@code mountInfoFile} (which may be missing: off Linux). */
    FileSystemProbe(Path mountInfoFile, LocalFiles files) {
        this(mountInfoFile, null, files);
    }

    /**
     * Judges paths against a captured mount table as if it were this machine's: paths are taken
     * as written, since they name another machine's files.
     */
    FileSystemProbe(String capturedMountInfo) {
        this(PROC_SELF_MOUNTINFO, capturedMountInfo, LocalFiles.CAPTURED);
    }

    /**
     * Examines the storage of a database whose directory exists. Never throws: what cannot be
     * told is {@code unknown} and judges nothing.
     */
    public Storage examine(Path database, Path lockDirectory) {
        try {
            Optional<MountInfo> table = readMountTable();
            if (table.isEmpty()) {
                return Storage.unknown();
            }
            return examine(table.get(), database, lockDirectory);
        } catch (MountTableUnreadable e) {
            return new Storage("unknown", Optional.empty(), List.of(e.getMessage()));
        } catch (RuntimeException e) {
            // The probe must never stop the canary; the redeploy test still proves persistence.
            return new Storage("unknown", Optional.empty(), List.of(StorageGuidance.storageNotJudged(database, e.toString())));
        }
    }

    private Storage examine(MountInfo table, Path database, Path lockDirectory) {
        Path file = files.realPath(database);
        Path directory = files.realPath(database.toAbsolutePath().getParent());
        Optional<Mount> directoryMount = table.nearestMount(directory);
        Optional<String> jdkType = files.fileStoreType(directory);
        if (directoryMount.isEmpty()) {
            return new Storage(jdkType.orElse("unknown"), Optional.empty(), List.of(StorageGuidance.mountNotFound(directory)));
        }
        Mount mount = directoryMount.get();
        String filesystem = describe(mount);
        if (jdkType.isPresent() && !jdkType.get().equals(mount.type())) {
            // The lexical look-up went wrong somewhere (a symbolic link, a hidden mount): judge nothing.
            return new Storage(jdkType.get(), Optional.empty(),
                    List.of(StorageGuidance.mountTypesDisagree(directory, jdkType.get(), filesystem)));
        }

        // The file before its directory: a file bound from a volume onto an ephemeral directory is
        // that volume's file, yet its journal lands in the ephemeral directory.
        Optional<Mount> fileMount = table.mountAt(file).filter(m -> !files.isDirectory(file));
        if (fileMount.isPresent()) {
            String fileFilesystem = describe(fileMount.get());
            return new Storage(fileFilesystem, Optional.of(new Storage.Finding(Storage.Kind.SINGLE_FILE_MOUNT,
                    StorageGuidance.singleFileMount(file, fileFilesystem, directory, filesystem))), List.of());
        }

        Optional<String> ephemeral = ephemeralKind(mount);
        if (ephemeral.isPresent()) {
            return new Storage(filesystem, Optional.of(new Storage.Finding(Storage.Kind.EPHEMERAL_FILESYSTEM,
                    StorageGuidance.ephemeralFilesystem(file, directory, filesystem, ephemeral.get()))), List.of());
        }

        List<String> warnings = new ArrayList<>();
        String source = mount.source().isEmpty() ? "no source" : mount.source();
        if (NETWORK.contains(mount.type())) {
            warnings.add(StorageGuidance.networkFilesystem(directory, filesystem, source));
        } else if (HOST_SHARED.contains(mount.type())) {
            warnings.add(StorageGuidance.hostSharedFilesystem(directory, filesystem, source));
        } else if (OBJECT_STORAGE.contains(mount.type())) {
            warnings.add(StorageGuidance.objectStorageMount(directory, filesystem, source));
        }
        Matcher anonymous = ANONYMOUS_VOLUME.matcher(mount.root());
        if (anonymous.find()) {
            warnings.add(StorageGuidance.anonymousVolume(directory, filesystem, anonymous.group(1)));
        }
        lockOnSameFilesystem(table, mount, lockDirectory).ifPresent(warnings::add);
        return new Storage(filesystem, Optional.empty(), warnings);
    }

    /**
     * Where a database on storage that never survives a redeploy is, worded for the guidance
     * ("on the container's writable layer"); empty if the storage may persist.
     */
    private static Optional<String> ephemeralKind(Mount mount) {
        Matcher emptyDir = EMPTY_DIR.matcher(mount.root());
        if (emptyDir.find()) {
            return Optional.of("on the Kubernetes emptyDir volume \"" + emptyDir.group(1) + "\"");
        }
        Matcher filled = KUBELET_FILLED.matcher(mount.root());
        if (filled.find()) {
            return Optional.of("on the Kubernetes " + kubeletVolumeKind(filled.group(1)) + " volume \""
                    + filled.group(2) + "\"");
        }
        if (CONTAINER_LAYERS.contains(mount.type())) {
            return Optional.of(mount.mountPoint().equals("/") ? "on the container's writable layer"
                    : "on an overlay file system");
        }
        if (BTRFS_CONTAINER_LAYER.matcher(mount.root()).find()) {
            return Optional.of("on the container's writable layer, a btrfs subvolume of the container runtime");
        }
        if (MEMORY.contains(mount.type())) {
            return Optional.of("in memory");
        }
        return Optional.empty();
    }

    private static String kubeletVolumeKind(String pluginName) {
        switch (pluginName) {
            case "configmap":
                return "configMap";
            case "downward-api":
                return "downwardAPI";
            default:
                return pluginName;
        }
    }

    /**
     * The lock must vanish with a redeploy; on the database's own volume it survives whatever the
     * database survives. Judged only for a database on a mounted volume: a machine's root file
     * system may be replaced whole by a redeploy (database and lock together, which the marker
     * catches) or kept whole, and the canary cannot tell which. A lock directory on ephemeral
     * storage is wiped however devices compare (a disk-backed emptyDir shares the node's disk with
     * a hostPath database).
     */
    private Optional<String> lockOnSameFilesystem(MountInfo table, Mount databaseMount, Path lockDirectory) {
        if (databaseMount.mountPoint().equals("/")) {
            return Optional.empty();
        }
        Path lock = files.realPath(lockDirectory.toAbsolutePath());
        Optional<Mount> lockMount = table.nearestMount(lock);
        if (lockMount.isEmpty() || ephemeralKind(lockMount.get()).isPresent()
                || !lockMount.get().device().equals(databaseMount.device())) {
            return Optional.empty();
        }
        return Optional.of(StorageGuidance.lockOnDatabaseFilesystem(lock, describe(lockMount.get()), databaseMount.device()));
    }

    private static String describe(Mount mount) {
        return mount.type() + " on " + mount.mountPoint();
    }

    /** The mount table, or empty where there is none (off Linux). */
    private Optional<MountInfo> readMountTable() throws MountTableUnreadable {
        if (capturedMountInfo != null) {
            return Optional.of(MountInfo.parse(capturedMountInfo));
        }
        try {
            // Bytes, not lines: the kernel escapes what would break a line, and paths are UTF-8.
            return Optional.of(MountInfo.parse(new String(Files.readAllBytes(mountInfoFile), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            throw new MountTableUnreadable(StorageGuidance.mountTableUnreadable(mountInfoFile, String.valueOf(e.getMessage())));
        }
    }

    private static final class MountTableUnreadable extends Exception {
        private static final long serialVersionUID = 1L;

        MountTableUnreadable(String message) {
            super(message);
        }
    }

    /** What the probe asks of the local file system, apart from the mount table. */
    interface LocalFiles {

        /** The path with every symbolic link resolved, as far as it exists. */
        Path realPath(Path path);

        boolean isDirectory(Path path);

        /** The JDK's {@link java.nio.file.FileStore#type()} of an existing path, where it answers. */
        Optional<String> fileStoreType(Path path);

        LocalFiles THIS_MACHINE = new LocalFiles() {
            @Override
            public Path realPath(Path path) {
                return RealPath.of(path.toAbsolutePath());
            }

            @Override
            public boolean isDirectory(Path path) {
                return Files.isDirectory(path);
            }

            @Override
            public Optional<String> fileStoreType(Path path) {
                try {
                    return Optional.of(Files.getFileStore(path).type());
                } catch (IOException | SecurityException e) {
                    return Optional.empty();
                }
            }
        };

        /** Another machine's paths, taken as written; nothing of this machine is asked. */
        LocalFiles CAPTURED = new LocalFiles() {
            @Override
            public Path realPath(Path path) {
                return path.toAbsolutePath().normalize();
            }

            @Override
            public boolean isDirectory(Path path) {
                return false;
            }

            @Override
            public Optional<String> fileStoreType(Path path) {
                return Optional.empty();
            }
        };
    }
}
