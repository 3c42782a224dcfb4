package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deploy platform this process runs on (Kubernetes, Fly.io, a Docker container, …), told from
 * the signals each platform documents: environment variables it sets in every container, files
 * its runtime creates, and what its runtime mounts ({@code /proc/self/mountinfo}). Not the
 * operating system ({@link LocalSystem}).
 *
 * <p>Pure facts, read once: the environment comes through a function and the files through a
 * predicate, so that tests give fixtures. Platforms are tried from the most specific signal to
 * the most general (a Kubernetes pod also runs in a container; Fly.io Machines are not Docker).
 */
public final class DeployPlatform {

    /** The platforms the canary can tell apart. */
    public enum Kind {
        FLY_IO("Fly.io"),
        RAILWAY("Railway"),
        RENDER("Render"),
        HEROKU("Heroku"),
        CLOUD_RUN("Google Cloud Run"),
        AZURE_APP_SERVICE("Azure App Service"),
        ECS("AWS ECS / Fargate"),
        KUBERNETES("Kubernetes"),
        PODMAN("Podman"),
        DOCKER("Docker");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        /** The platform's own name, as its users know it. */
        public String title() {
            return title;
        }
    }

    /**
     * The platform's identity of this deploy: the same across restarts of one deploy, new with
     * every deploy.
     *
     * @param value such as an image reference, a deployment id, a container id or a pod UID
     * @param source where it was read, such as {@code FLY_IMAGE_REF}
     */
    public record Identity(String value, String source) {
    }

    static final Path DOCKERENV = Path.of("/.dockerenv");
    static final Path CONTAINERENV = Path.of("/run/.containerenv");
    static final String MOUNT_TABLE = "/proc/self/mountinfo";

    private static final List<String> RAILWAY_SIGNALS = List.of("RAILWAY_DEPLOYMENT_ID", "RAILWAY_SERVICE_ID",
            "RAILWAY_ENVIRONMENT_ID", "RAILWAY_PROJECT_ID");
    private static final List<String> SERVICE_ACCOUNT_MOUNTS = List.of("/run/secrets/kubernetes.io/serviceaccount",
            "/var/run/secrets/kubernetes.io/serviceaccount");
    /** The files a container runtime bind-mounts from its per-container directory. */
    private static final Set<String> RUNTIME_FILES = Set.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
            "/run/.containerenv");
    // Docker: .../docker/containers/<id>/hostname; Podman and CRI-O: .../overlay-containers/<id>/userdata/hostname.
    private static final Pattern CONTAINER_ID = Pattern.compile(
            "/(?:containers|overlay-containers|btrfs-containers)/([0-9a-f]{64})/");
    private static final Pattern DOCKER_CONTAINER = Pattern.compile("/docker/containers/[0-9a-f]{64}/");
    // The kubelet's per-pod directory: /var/lib/kubelet/pods/<uid>/etc-hosts, …/volumes/….
    private static final Pattern POD_UID = Pattern.compile(
            "/pods/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/");
    /** Cloud Run's volume mounts that outlive an instance: NFS (Filestore) and Cloud Storage. */
    private static final Set<String> CLOUD_RUN_VOLUMES = Set.of("nfs", "nfs4", "fuse.gcsfuse", "fuse");

    private final Kind kind;
    private final String recognisedBy;
    private final Identity identity;
    private final Path volumeMountPath;
    private final MountInfo mounts;

    private DeployPlatform(Kind kind, String recognisedBy, Identity identity, Path volumeMountPath,
            MountInfo mounts) {
        this.kind = kind;
        this.recognisedBy = recognisedBy;
        this.identity = identity;
        this.volumeMountPath = volumeMountPath;
        this.mounts = mounts;
    }

    /** The platform of this process: its environment, {@code /.dockerenv}, {@code /run/.containerenv}, its mounts. */
    public static Optional<DeployPlatform> ofThisMachine(Function<String, String> environment) {
        MountInfo mounts;
        try {
            mounts = MountInfo.parse(Files.readString(Path.of(MOUNT_TABLE), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            mounts = null; // off Linux, or unreadable: the environment and the files still tell
        }
        return detect(environment, path -> {
            try {
                return Files.exists(path);
            } catch (RuntimeException e) {
                return false;
            }
        }, Optional.ofNullable(mounts));
    }

    /**
     * Tells the platform from these signals; empty where none is recognised. Never throws.
     *
     * @param environment environment variables by name ({@code null} where unset)
     * @param fileExists whether a file exists, for {@code /.dockerenv} and {@code /run/.containerenv}
     * @param mountTable the process's mount table, where it could be read
     */
    public static Optional<DeployPlatform> detect(Function<String, String> environment, Predicate<Path> fileExists,
            Optional<MountInfo> mountTable) {
        Function<String, Optional<String>> env = name -> Optional.ofNullable(environment.apply(name))
                .map(String::trim).filter(value -> !value.isEmpty());
        MountInfo mounts = mountTable.orElse(null);
        Identity containerId = containerId(mounts).orElse(null);
        if (env.apply("FLY_APP_NAME").isPresent()) {
            return found(Kind.FLY_IO, "FLY_APP_NAME", identity(env, "FLY_IMAGE_REF"), null, mounts);
        }
        Optional<String> railway = RAILWAY_SIGNALS.stream().filter(name -> env.apply(name).isPresent()).findFirst();
        if (railway.isPresent()) {
            return found(Kind.RAILWAY, railway.get(), identity(env, "RAILWAY_DEPLOYMENT_ID"),
                    env.apply("RAILWAY_VOLUME_MOUNT_PATH").flatMap(DeployPlatform::path).orElse(null), mounts);
        }
        if (env.apply("RENDER_SERVICE_ID").isPresent() || env.apply("RENDER").filter("true"::equals).isPresent()) {
            return found(Kind.RENDER, env.apply("RENDER_SERVICE_ID").isPresent() ? "RENDER_SERVICE_ID" : "RENDER",
                    containerId, null, mounts);
        }
        if (env.apply("DYNO").isPresent()) {
            return found(Kind.HEROKU, "DYNO", null, null, mounts);
        }
        if (env.apply("K_SERVICE").isPresent()) {
            return found(Kind.CLOUD_RUN, "K_SERVICE", identity(env, "K_REVISION"), null, mounts);
        }
        if (env.apply("WEBSITE_SITE_NAME").isPresent()) {
            // App Service storage: /home persists (and is shared) when the app setting turns it on.
            boolean storage = env.apply("WEBSITES_ENABLE_APP_SERVICE_STORAGE").filter("true"::equalsIgnoreCase)
                    .isPresent();
            return found(Kind.AZURE_APP_SERVICE, "WEBSITE_SITE_NAME", containerId, storage ? Path.of("/home") : null,
                    mounts);
        }
        if (env.apply("ECS_CONTAINER_METADATA_URI_V4").isPresent()) {
            return found(Kind.ECS, "ECS_CONTAINER_METADATA_URI_V4", identity(env, "ECS_CONTAINER_METADATA_URI_V4"),
                    null, mounts);
        }
        Optional<Identity> podUid = podUid(mounts);
        if (env.apply("KUBERNETES_SERVICE_HOST").isPresent()) {
            return found(Kind.KUBERNETES, "KUBERNETES_SERVICE_HOST", podUid.orElse(null), null, mounts);
        }
        if (mounts != null && (podUid.isPresent() || SERVICE_ACCOUNT_MOUNTS.stream()
                .anyMatch(point -> mountedAt(mounts, point)))) {
            return found(Kind.KUBERNETES, "a pod's mounts in " + MOUNT_TABLE, podUid.orElse(null), null, mounts);
        }
        if (fileExists.test(CONTAINERENV)) {
            return found(Kind.PODMAN, CONTAINERENV.toString(), containerId, null, mounts);
        }
        if (mounts != null && mountedAt(mounts, CONTAINERENV.toString())) {
            return found(Kind.PODMAN, CONTAINERENV + " in " + MOUNT_TABLE, containerId, null, mounts);
        }
        if (fileExists.test(DOCKERENV)) {
            return found(Kind.DOCKER, DOCKERENV.toString(), containerId, null, mounts);
        }
        if (mounts != null && mounts.mounts().stream().anyMatch(m -> RUNTIME_FILES.contains(m.mountPoint())
                && DOCKER_CONTAINER.matcher(m.root()).find())) {
            return found(Kind.DOCKER, "a Docker container's /etc/hostname in " + MOUNT_TABLE, containerId, null,
                    mounts);
        }
        return Optional.empty();
    }

    private static Optional<DeployPlatform> found(Kind kind, String signal, Identity identity, Path volume,
            MountInfo mounts) {
        return Optional.of(new DeployPlatform(kind, signal, identity, volume, mounts));
    }

    private static Identity identity(Function<String, Optional<String>> env, String name) {
        return env.apply(name).map(value -> new Identity(value, name)).orElse(null);
    }

    private static Optional<Path> path(String value) {
        try {
            Path path = Path.of(value);
            return path.isAbsolute() ? Optional.of(path.normalize()) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static boolean mountedAt(MountInfo mounts, String point) {
        return mounts.mounts().stream().anyMatch(m -> m.mountPoint().equals(point));
    }

    /** The container's id, from the per-container directory its runtime mounts {@code /etc/hostname} from. */
    private static Optional<Identity> containerId(MountInfo mounts) {
        if (mounts == null) {
            return Optional.empty();
        }
        for (MountInfo.Mount mount : mounts.mounts()) {
            if (RUNTIME_FILES.contains(mount.mountPoint())) {
                Matcher id = CONTAINER_ID.matcher(mount.root());
                if (id.find()) {
                    return Optional.of(new Identity(id.group(1), "the container id in " + MOUNT_TABLE));
                }
            }
        }
        return Optional.empty();
    }

    /** The pod's UID, from the kubelet's per-pod directory that {@code /etc/hosts} and volumes come from. */
    private static Optional<Identity> podUid(MountInfo mounts) {
        if (mounts == null) {
            return Optional.empty();
        }
        for (MountInfo.Mount mount : mounts.mounts()) {
            Matcher uid = POD_UID.matcher(mount.root());
            if (uid.find()) {
                return Optional.of(new Identity(uid.group(1), "the pod UID in " + MOUNT_TABLE));
            }
        }
        return Optional.empty();
    }

    public Kind kind() {
        return kind;
    }

    /** The signal it was told by, such as {@code FLY_APP_NAME} or {@code /.dockerenv}. */
    public String recognisedBy() {
        return recognisedBy;
    }

    /** The platform's identity of this deploy, where it has one that the process can read. */
    public Optional<Identity> deployIdentity() {
        return Optional.ofNullable(identity);
    }

    /**
     * The mount path of the persistent volume the platform declares to the process (Railway's
     * {@code RAILWAY_VOLUME_MOUNT_PATH}; Azure App Service's {@code /home} with App Service
     * storage on); empty where the platform declares none.
     */
    public Optional<Path> volumeMountPath() {
        return Optional.ofNullable(volumeMountPath);
    }

    /** Whether the platform declares no volume although it has a variable for one (Railway). */
    public boolean declaresNoVolume() {
        return kind == Kind.RAILWAY && volumeMountPath == null;
    }

    /**
     * Whether a database in {@code directory} can never survive a redeploy on this platform,
     * whatever the mount table says of it: a Heroku dyno's file system always, Cloud Run's unless
     * the directory is on one of its volume mounts (NFS, Cloud Storage).
     */
    public boolean keepsNothingIn(Path directory) {
        switch (kind) {
            case HEROKU:
                return true;
            case CLOUD_RUN:
                if (mounts == null || directory == null) {
                    return true;
                }
                return mounts.nearestMount(directory)
                        .filter(mount -> !mount.mountPoint().equals("/") && CLOUD_RUN_VOLUMES.contains(mount.type()))
                        .isEmpty();
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return kind.title() + " (" + recognisedBy + ")";
    }
}
