package io.github.sqlitecanary.internal;

import io.github.sqlitecanary.CanaryOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * The text a person reads for each verdict: what was found, what it means, what to do. Message
 * text is part of the product, so it lives here in one place and the tests read it.
 */
public final class Guidance {

    private static final String NOTHING_WRITTEN = " (status only: nothing was written)";

    private Guidance() {
    }

    public static String disabled() {
        return "The SQLite persistence canary is disabled (" + CanaryOptions.ENABLED
                + "=false): nothing was checked, read or written.";
    }

    public static String misconfigured(List<String> problems) {
        return "The SQLite persistence canary cannot run: " + String.join("; ", problems)
                + ". Fix the configuration and restart; until then the application stays not ready.";
    }

    public static String ephemeralDatabase(String database, String reason) {
        return "The database " + database + " cannot outlive the process: " + reason
                + ". Its data is lost on every restart. Configure a database file on a persistent volume.";
    }

    public static String volumeMissing(String database, Path directory) {
        return "The directory " + directory + " of the database " + database + " does not exist. It is most likely "
                + "a persistent volume that is not mounted; the canary never creates it. Mount the volume at "
                + directory + " (or correct the path) and deploy again.";
    }

    public static String parentNotDirectory(String database, Path directory) {
        return "The database " + database + " cannot be used: " + directory + " is not a directory. "
                + "Correct the database path. Nothing was changed.";
    }

    public static String databaseUnusable(String database, String found) {
        return "The database " + database + " cannot be used: " + found
                + ". The canary changed nothing in it. Fix the file or the path and restart.";
    }

    public static String lockUnusable(String database, String found) {
        return "The canary cannot keep its lock for " + database + ": " + found
                + ". Without a lock it cannot prove persistence, so it wrote no marker into the database.";
    }

    public static String firstBoot(String database, Path lock, boolean wrote) {
        String what = wrote
                ? "the canary recorded a marker in the database and wrote the lock " + lock
                : "the canary would record a marker in the database and write the lock " + lock + NOTHING_WRITTEN;
        return "First boot of " + database + ": " + what + ". The application stays not ready until a redeploy "
                + "proves that the database is kept: redeploy now (a new container whose temporary directory is "
                + "wiped). If the database is on persistent storage, the next deploy becomes ready; if it is not, "
                + "the next deploy starts over at FIRST_BOOT and no production data has been written yet.";
    }

    public static String concurrentFirstBoot(String database, Path lock) {
        return "First boot of " + database + ": another instance starting at the same time recorded the marker "
                + "and the lock " + lock + ". The application stays not ready until a redeploy proves that the "
                + "database is kept: redeploy now.";
    }

    public static String databaseNotKept(String database, Path lock, boolean wrote) {
        return "The database " + database + " carries no canary marker, but the lock " + lock + " from an earlier "
                + "boot is still there: the database was lost or replaced since that boot (or the first boot was "
                + "interrupted). Put the database on a persistent volume. "
                + (wrote ? "The canary recorded its marker again and kept the lock"
                        : "The canary would record its marker again and keep the lock" + NOTHING_WRITTEN)
                + "; a redeploy that wipes the temporary directory will prove persistence.";
    }

    public static String awaitingRedeploy(String database, Path lock, String firstBootAt) {
        return "The database " + database + " carries the canary's marker from the first boot at " + firstBootAt
                + ", and the lock " + lock + " is still there: the application was not redeployed yet, or its "
                + "temporary directory survives deploys. Redeploy to prove persistence. Once you are confident "
                + "the database is on persistent storage, deleting " + lock + " is safe; the next start then "
                + "becomes ready.";
    }

    public static String awaitingRedeploySameDeploy(String database, Path lock, String deployId, boolean lockPresent) {
        return "The database " + database + " carries the canary's marker from this same deploy (" + deployId + "): "
                + "this is a restart, not a redeploy" + (lockPresent ? ", and the lock " + lock + " is still there" : "")
                + ". Redeploy (a new " + CanaryOptions.DEPLOY_ID + ") to prove persistence.";
    }

    public static String lockSurvivedRedeploy(String database, Path lock, String deployId, String firstDeployId) {
        return "The database " + database + " was kept across a redeploy (first boot: " + firstDeployId + ", now: "
                + deployId + "), but the lock " + lock + " survived it too: the temporary directory " + lock.getParent()
                + " is not wiped by deploys, so it cannot prove that the database lives on persistent storage. "
                + "Point " + CanaryOptions.LOCK_DIR + " at a directory that every deploy wipes, or delete " + lock
                + " once you are confident the database is on persistent storage.";
    }

    public static String verified(String database, String firstBootAt) {
        return "The database " + database + " kept the canary's marker from " + firstBootAt
                + " across a redeploy that wiped the temporary directory: persistence verified.";
    }

    public static String vanished(String database, FileIdentity.Change change) {
        String what = change == FileIdentity.Change.DELETED ? "was deleted" : "was replaced by another file";
        return "The database file " + database + " " + what + " while the application was running, after its "
                + "persistence was verified at start. The application may now be writing to a file that no longer "
                + "exists. Find what removed it, restore the database from a backup if needed, and restart.";
    }

    // Storage: what holds the database (FileSystemProbe). Verdicts first, then warnings.

    public static String ephemeralFilesystem(Path database, Path directory, String filesystem, String where) {
        return "The database " + database + " is " + where + " (" + filesystem + "), which does not survive a "
                + "redeploy: every deploy would start over with an empty database and lose all data written since. "
                + "Mount a persistent volume at " + directory + " (a Docker named volume, a Kubernetes "
                + "PersistentVolumeClaim, your platform's volume) and deploy again. The canary read and wrote "
                + "nothing; " + CanaryOptions.FILESYSTEM_CHECK + "=false turns this check off.";
    }

    public static String singleFileMount(Path database, String fileFilesystem, Path directory,
            String directoryFilesystem) {
        return "The database file " + database + " is itself a mount point (" + fileFilesystem + "): only this "
                + "one file is on the volume. SQLite creates its -wal, -shm and -journal files beside it in "
                + directory + ", which is on " + directoryFilesystem + ", not on the volume, so transactions not yet "
                + "copied back into the file are lost on the next deploy, and an interrupted write can leave the "
                + "database corrupt. Mount the volume at the directory " + directory + " instead of the file, and "
                + "deploy again. The canary read and wrote nothing; " + CanaryOptions.FILESYSTEM_CHECK
                + "=false turns this check off.";
    }

    public static String networkFilesystem(Path directory, String filesystem, String source) {
        return "the database directory " + directory + " is on a network file system (" + filesystem + ", from "
                + source + "): SQLite's locking depends on the server's lock support, and WAL mode needs shared "
                + "memory that a network file system cannot share between hosts, so concurrent access can corrupt "
                + "the database. Prefer a block-storage volume (ReadWriteOnce); on this one, keep a single "
                + "instance writing and use journal_mode=DELETE";
    }

    public static String hostSharedFilesystem(Path directory, String filesystem, String source) {
        return "the database directory " + directory + " is on a file system shared from a host or virtual "
                + "machine (" + filesystem + ", from " + source + "): SQLite's locks are not shared with the "
                + "other side, and WAL's memory-mapped -shm file is known to fail there (disk I/O errors). Fine for "
                + "trying things out on a laptop; in production use a volume inside the machine that runs the "
                + "database (a named volume, a block device)";
    }

    public static String objectStorageMount(Path directory, String filesystem, String source) {
        return "the database directory " + directory + " is on an object-storage FUSE mount (" + filesystem
                + ", from " + source + "), which has no POSIX locking and rewrites whole objects: SQLite databases "
                + "lose writes or get corrupted there. Use a block-storage volume, and copy the database to object "
                + "storage with a tool made for SQLite (such as Litestream) if you need it there";
    }

    public static String anonymousVolume(Path directory, String filesystem, String volumeRoot) {
        return "the database directory " + directory + " is on a Docker anonymous volume (" + filesystem
                + ", volume " + volumeRoot + "): it survives a restart of this container, but a new container "
                + "(docker run, docker compose up --renew-anon-volumes, a new service task) gets a new, empty one. "
                + "Use a named volume (-v app-data:" + directory + ") or a bind mount";
    }

    public static String lockOnDatabaseFilesystem(Path lockDirectory, String filesystem, String device) {
        return "the lock directory " + lockDirectory + " is on the same file system as the database (" + filesystem
                + ", device " + device + "): whatever keeps the database across a redeploy keeps the lock too, so "
                + "the canary cannot see the lock vanish and stays at AWAITING_REDEPLOY. Point "
                + CanaryOptions.LOCK_DIR + " at a directory that every deploy wipes, such as the container's /tmp "
                + "(the default)";
    }

    public static String mountTableUnreadable(Path mountInfo, String reason) {
        return "the mount table " + mountInfo + " could not be read (" + reason + "), so the database's file "
                + "system was not judged; the redeploy test still proves persistence";
    }

    public static String storageNotJudged(Path database, String problem) {
        return "the file system of the database " + database + " could not be judged (" + problem + "); the "
                + "redeploy test still proves persistence";
    }

    public static String mountNotFound(Path directory) {
        return "no mount in /proc/self/mountinfo holds the database directory " + directory + ", so its file "
                + "system was not judged; the redeploy test still proves persistence";
    }

    public static String mountTypesDisagree(Path directory, String jdkType, String mountInfoFilesystem) {
        return "the JDK finds the database directory " + directory + " on " + jdkType + ", but the nearest mount "
                + "in /proc/self/mountinfo is " + mountInfoFilesystem + ", so its file system was not judged; the "
                + "redeploy test still proves persistence";
    }
}
