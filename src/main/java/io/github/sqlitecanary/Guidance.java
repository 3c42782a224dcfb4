package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.FileIdentity;
import java.nio.file.Path;
import java.util.List;

/**
 * The text a person reads for each verdict: what was found, what it means, what to do. Message
 * text is part of the product, so it lives here in one place and the tests read it.
 */
final class Guidance {

    private static final String NOTHING_WRITTEN = " (status only: nothing was written)";

    private Guidance() {
    }

    static String disabled() {
        return "The SQLite persistence canary is disabled (" + CanaryOptions.ENABLED
                + "=false): nothing was checked, read or written.";
    }

    static String misconfigured(List<String> problems) {
        return "The SQLite persistence canary cannot run: " + String.join("; ", problems)
                + ". Fix the configuration and restart; until then the application stays not ready.";
    }

    static String ephemeralDatabase(String database, String reason) {
        return "The database " + database + " cannot outlive the process: " + reason
                + ". Its data is lost on every restart. Configure a database file on a persistent volume.";
    }

    static String volumeMissing(String database, Path directory) {
        return "The directory " + directory + " of the database " + database + " does not exist. It is most likely "
                + "a persistent volume that is not mounted; the canary never creates it. Mount the volume at "
                + directory + " (or correct the path) and deploy again.";
    }

    static String parentNotDirectory(String database, Path directory) {
        return "The database " + database + " cannot be used: " + directory + " is not a directory. "
                + "Correct the database path. Nothing was changed.";
    }

    static String databaseUnusable(String database, String found) {
        return "The database " + database + " cannot be used: " + found
                + ". The canary changed nothing in it. Fix the file or the path and restart.";
    }

    static String sqliteUnusable(String database, String found) {
        return "SQLite cannot be used for the database " + database + ": " + found
                + ". The canary read and changed nothing.";
    }

    static String internalError(String database, Throwable error) {
        return "The canary could not judge the database " + database + " because of an unexpected error ("
                + error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage())
                + "). It wrote no marker. This is a defect of the canary or of its environment: report it with the "
                + "log, which holds the details; until then the application stays not ready.";
    }

    static String lockUnusable(String database, String found) {
        return "The canary cannot keep its lock for " + database + ": " + found
                + ". Without a lock it cannot prove persistence, so it wrote no marker into the database.";
    }

    static String firstBoot(String database, Path lock, boolean wrote) {
        String what = wrote
                ? "the canary recorded a marker in the database and wrote the lock " + lock
                : "the canary would record a marker in the database and write the lock " + lock + NOTHING_WRITTEN;
        return "First boot of " + database + ": " + what + ". The application stays not ready until a redeploy "
                + "proves that the database is kept: redeploy now (a new container whose temporary directory is "
                + "wiped). If the database is on persistent storage, the next deploy becomes ready; if it is not, "
                + "the next deploy starts over at FIRST_BOOT and no production data has been written yet.";
    }

    static String concurrentFirstBoot(String database, Path lock) {
        return "First boot of " + database + ": another instance starting at the same time recorded the marker "
                + "and the lock " + lock + ". The application stays not ready until a redeploy proves that the "
                + "database is kept: redeploy now.";
    }

    static String databaseNotKept(String database, Path lock, boolean wrote) {
        return "The database " + database + " carries no canary marker, but the lock " + lock + " from an earlier "
                + "boot is still there: the database was lost or replaced since that boot (or the first boot was "
                + "interrupted). Put the database on a persistent volume. "
                + (wrote ? "The canary recorded its marker again and kept the lock"
                        : "The canary would record its marker again and keep the lock" + NOTHING_WRITTEN)
                + "; a redeploy that wipes the temporary directory will prove persistence.";
    }

    static String awaitingRedeploy(String database, Path lock, String firstBootAt) {
        return "The database " + database + " carries the canary's marker from the first boot at " + firstBootAt
                + ", and the lock " + lock + " is still there: the application was not redeployed yet, or its "
                + "temporary directory survives deploys. Redeploy to prove persistence. Once you are confident "
                + "the database is on persistent storage, deleting " + lock + " is safe; the next start then "
                + "becomes ready.";
    }

    static String awaitingRedeploySameDeploy(String database, Path lock, String deployId, boolean lockPresent) {
        return "The database " + database + " carries the canary's marker from this same deploy (" + deployId + "): "
                + "this is a restart, not a redeploy" + (lockPresent ? ", and the lock " + lock + " is still there" : "")
                + ". Redeploy (a new " + CanaryOptions.DEPLOY_ID + ") to prove persistence.";
    }

    static String lockSurvivedRedeploy(String database, Path lock, String deployId, String firstDeployId) {
        return "The database " + database + " was kept across a redeploy (first boot: " + firstDeployId + ", now: "
                + deployId + "), but the lock " + lock + " survived it too: the temporary directory survives deploys ("
                + lock.getParent() + " is not wiped by a redeploy), so it cannot prove that the database lives on "
                + "persistent storage. "
                + "Point " + CanaryOptions.LOCK_DIR + " at a directory that every deploy wipes, or delete " + lock
                + " once you are confident the database is on persistent storage.";
    }

    static String verified(String database, String firstBootAt, boolean expectVerified) {
        return "The database " + database + " kept the canary's marker from " + firstBootAt
                + " across a redeploy that wiped the temporary directory: persistence verified."
                + (expectVerified ? "" : " Now set " + CanaryOptions.EXPECT_VERIFIED + "=true in the deployment's "
                        + "configuration, so that a database lost later (a volume not mounted, replaced or emptied) "
                        + "is reported as DATABASE_LOST instead of greeted as a new first boot.");
    }

    static String databaseLost(String database, Path directory, boolean fileMissing) {
        return "The database " + database + (fileMissing ? " does not exist" : " carries no canary marker")
                + ", but " + CanaryOptions.EXPECT_VERIFIED + "=true says its persistence was verified before: the "
                + "verified database was lost or replaced. This is data loss, not a first boot. Nothing was written: "
                + "no lock, no marker" + (fileMissing ? ", no new database file" : "") + ". Check that the "
                + "persistent volume is attached and mounted at " + directory + " (and is the volume used before, not "
                + "a new empty one), that the database path is the one used before, and restore the database from a "
                + "backup if it is gone. To start over knowingly with a new, empty database, set "
                + CanaryOptions.EXPECT_VERIFIED + "=false: the next deploys record a first boot and verify it again; "
                + "then set it back to true.";
    }

    /** A platform whose file system never keeps a database (Heroku; Cloud Run off its volume mounts). */
    static String platformKeepsNothing(String database, Path directory, DeployPlatform platform) {
        String why = switch (platform.kind()) {
            case HEROKU -> "a Heroku dyno's file system is ephemeral: it is discarded whenever the dyno restarts "
                    + "or is replaced (on every deploy, config change and restart, and at least once a day), and "
                    + "dynos have no volumes";
            case CLOUD_RUN -> "the directory " + directory + " is not on a Cloud Run volume mount, and the rest of "
                    + "a Cloud Run container's file system is in memory: it does not persist when the instance "
                    + "stops (a new revision, scaling in, a crash)";
            default -> "this platform's file system does not persist";
        };
        return "The database " + database + " runs on " + platform + ", where it cannot survive a redeploy: " + why
                + ". Every deploy would start over with an empty database and lose all data written since. The "
                + "canary read and wrote nothing; " + CanaryOptions.FILESYSTEM_CHECK + "=false turns this check off.";
    }

    /**
     * The fix in the platform's own terms, ending every DOWN message on a recognised platform.
     *
     * @param directory the database's directory, or null where the database is no file (in memory)
     */
    static String platformFix(DeployPlatform platform, Path directory) {
        String dir = directory == null ? "the database's directory" : directory.toString();
        String quoted = directory == null ? "\"/data\"" : "\"" + directory + "\"";
        return switch (platform.kind()) {
            case FLY_IO -> "On Fly.io (" + platform.recognisedBy() + "): a Machine's root file system is rebuilt "
                    + "from the image on every deploy and restart; only a Fly Volume keeps data. Create one (fly "
                    + "volumes create data) and add to fly.toml a [mounts] section with source = \"data\" and "
                    + "destination = " + quoted + ", then fly deploy.";
            case KUBERNETES -> "On Kubernetes (" + platform.recognisedBy() + "): mount a PersistentVolumeClaim at "
                    + dir + " (volumeMounts mountPath: " + dir + "; in a StatefulSet, a volumeClaimTemplates entry), "
                    + "not an emptyDir or the container's own file system, and keep " + CanaryOptions.LOCK_DIR
                    + " on an emptyDir, which a new pod wipes.";
            case DOCKER -> "On Docker (" + platform.recognisedBy() + "): run the container with a named volume at "
                    + "the database's directory, docker run -v app-data:" + dir + " ... (in Compose: volumes: - "
                    + "app-data:" + dir + "); the container's own file system and anonymous volumes go with the "
                    + "container.";
            case PODMAN -> "On Podman (" + platform.recognisedBy() + "): run the container with a named volume at "
                    + "the database's directory, podman run -v app-data:" + dir + " ...; the container's own file "
                    + "system and anonymous volumes go with the container.";
            case RAILWAY -> railwayFix(platform, directory, dir);
            case RENDER -> "On Render (" + platform.recognisedBy() + "): only files under a persistent disk's mount "
                    + "path survive a deploy or restart. Add a disk to the service with mount path " + dir
                    + " (or move the database under the mount path of the disk it has).";
            case HEROKU -> "On Heroku (" + platform.recognisedBy() + "): dynos have no persistent file system and "
                    + "no volumes, so SQLite cannot keep data there: keep it in a database service that outlives "
                    + "dynos (such as Heroku Postgres), or run the application where a volume can be mounted.";
            case CLOUD_RUN -> "On Google Cloud Run (" + platform.recognisedBy() + "): add a volume mount at " + dir
                    + " backed by an NFS share (Filestore) or a Cloud Storage bucket (gcloud run services update "
                    + "--add-volume=NAME,... --add-volume-mount=volume=NAME,mount-path=" + dir + "); both are network storage, "
                    + "where SQLite needs a single instance (max instances 1).";
            case AZURE_APP_SERVICE -> azureFix(platform, directory, dir);
            case ECS -> "On AWS ECS / Fargate (" + platform.recognisedBy() + "): a task's own storage is deleted "
                    + "when the task stops. Add a volume to the task definition (Amazon EFS on Fargate, or a Docker "
                    + "volume on EC2) and a mountPoints entry with containerPath " + dir + ".";
        };
    }

    private static String railwayFix(DeployPlatform platform, Path directory, String dir) {
        String on = "On Railway (" + platform.recognisedBy() + "): ";
        if (platform.volumeMountPath().isEmpty()) {
            return on + "this service has no volume (RAILWAY_VOLUME_MOUNT_PATH is not set), and every deploy "
                    + "replaces the container's file system. Attach a volume to the service with mount path " + dir
                    + ".";
        }
        Path volume = platform.volumeMountPath().get();
        if (directory != null && directory.startsWith(volume)) {
            return on + "the database's directory " + dir + " is under the service's volume "
                    + "(RAILWAY_VOLUME_MOUNT_PATH=" + volume + ").";
        }
        return on + "the service's volume is mounted at RAILWAY_VOLUME_MOUNT_PATH=" + volume + ", but the database's "
                + "directory " + dir + " is not under it, so the database is on the container's file system, which "
                + "every deploy replaces. Move the database under " + volume + " (for example " + volume.resolve("app.db")
                + "), or change the volume's mount path to " + dir + ".";
    }

    private static String azureFix(DeployPlatform platform, Path directory, String dir) {
        String on = "On Azure App Service (" + platform.recognisedBy() + "): ";
        if (platform.volumeMountPath().isPresent() && directory != null
                && !directory.startsWith(platform.volumeMountPath().get())) {
            return on + "App Service storage keeps /home (WEBSITES_ENABLE_APP_SERVICE_STORAGE=true), but the "
                    + "database's directory " + dir + " is not under it, so it is reset with the container. Move the "
                    + "database under /home, or mount an Azure Files share at " + dir + " (path mappings).";
        }
        return on + "only /home with App Service storage turned on (WEBSITES_ENABLE_APP_SERVICE_STORAGE=true) or a "
                + "mounted Azure Files share survives a restart or deploy. Keep the database under /home with that "
                + "setting, or mount an Azure Files share at " + dir + " (path mappings).";
    }

    static String vanished(String database, FileIdentity.Change change) {
        String what = change == FileIdentity.Change.DELETED ? "was deleted" : "was replaced by another file";
        return "The database file " + database + " " + what + " while the application was running, after its "
                + "persistence was verified at start. The application may now be writing to a file that no longer "
                + "exists. Find what removed it, restore the database from a backup if needed, and restart.";
    }
}
