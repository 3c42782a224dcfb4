package io.github.sqlitecanary.internal;

import java.nio.file.Path;

/**
 * The text a person reads about the storage that holds a database ({@link FileSystemProbe}):
 * verdicts first, then warnings. Message text is part of the product, so the tests read it.
 */
final class StorageGuidance {

    private StorageGuidance() {
    }

    // Storage: what holds the database (FileSystemProbe). Verdicts first, then warnings.

    static String ephemeralFilesystem(Path database, Path directory, String filesystem, String where) {
        return "The database " + database + " is " + where + " (" + filesystem + "), which does not survive a "
                + "redeploy: every deploy would start over with an empty database and lose all data written since. "
                + "Mount a persistent volume at " + directory + " (a Docker named volume, a Kubernetes "
                + "PersistentVolumeClaim, your platform's volume) and deploy again. The canary read and wrote "
                + "nothing; " + ConfigKeys.FILESYSTEM_CHECK + "=false turns this check off.";
    }

    static String singleFileMount(Path database, String fileFilesystem, Path directory,
            String directoryFilesystem) {
        return "The database file " + database + " is itself a mount point (" + fileFilesystem + "): only this "
                + "one file is on the volume. SQLite creates its -wal, -shm and -journal files beside it in "
                + directory + ", which is on " + directoryFilesystem + ", not on the volume, so transactions not yet "
                + "copied back into the file are lost on the next deploy, and an interrupted write can leave the "
                + "database corrupt. Mount the volume at the directory " + directory + " instead of the file, and "
                + "deploy again. The canary read and wrote nothing; " + ConfigKeys.FILESYSTEM_CHECK
                + "=false turns this check off.";
    }

    static String networkFilesystem(Path directory, String filesystem, String source) {
        return "the database directory " + directory + " is on a network file system (" + filesystem + ", from "
                + source + "): SQLite's locking depends on the server's lock support, and WAL mode needs shared "
                + "memory that a network file system cannot share between hosts, so concurrent access can corrupt "
                + "the database. Prefer a block-storage volume (ReadWriteOnce); on this one, keep a single "
                + "instance writing and use journal_mode=DELETE";
    }

    static String hostSharedFilesystem(Path directory, String filesystem, String source) {
        return "the database directory " + directory + " is on a file system shared from a host or virtual "
                + "machine (" + filesystem + ", from " + source + "): SQLite's locks are not shared with the "
                + "other side, and WAL's memory-mapped -shm file is known to fail there (disk I/O errors). Fine for "
                + "trying things out on a laptop; in production use a volume inside the machine that runs the "
                + "database (a named volume, a block device)";
    }

    static String objectStorageMount(Path directory, String filesystem, String source) {
        return "the database directory " + directory + " is on an object-storage FUSE mount (" + filesystem
                + ", from " + source + "), which has no POSIX locking and rewrites whole objects: SQLite databases "
                + "lose writes or get corrupted there. Use a block-storage volume, and copy the database to object "
                + "storage with a tool made for SQLite (such as Litestream) if you need it there";
    }

    static String anonymousVolume(Path directory, String filesystem, String volumeRoot) {
        return "the database directory " + directory + " is on a Docker anonymous volume (" + filesystem
                + ", volume " + volumeRoot + "): it survives a restart of this container, but a new container "
                + "(docker run, docker compose up --renew-anon-volumes, a new service task) gets a new, empty one. "
                + "Use a named volume (-v app-data:" + directory + ") or a bind mount";
    }

    static String lockOnDatabaseFilesystem(Path lockDirectory, String filesystem, String device) {
        return "the lock directory " + lockDirectory + " is on the same file system as the database (" + filesystem
                + ", device " + device + "): whatever keeps the database across a redeploy keeps the lock too, so "
                + "the canary cannot see the lock vanish and stays at AWAITING_REDEPLOY. Point "
                + ConfigKeys.LOCK_DIR + " at a directory that every deploy wipes, such as the container's /tmp "
                + "(the default)";
    }

    static String mountTableUnreadable(Path mountInfo, String reason) {
        return "the mount table " + mountInfo + " could not be read (" + reason + "), so the database's file "
                + "system was not judged; the redeploy test still proves persistence";
    }

    static String storageNotJudged(Path database, String problem) {
        return "the file system of the database " + database + " could not be judged (" + problem + "); the "
                + "redeploy test still proves persistence";
    }

    static String mountNotFound(Path directory) {
        return "no mount in /proc/self/mountinfo holds the database directory " + directory + ", so its file "
                + "system was not judged; the redeploy test still proves persistence";
    }

    static String mountTypesDisagree(Path directory, String jdkType, String mountInfoFilesystem) {
        return "the JDK finds the database directory " + directory + " on " + jdkType + ", but the nearest mount "
                + "in /proc/self/mountinfo is " + mountInfoFilesystem + ", so its file system was not judged; the "
                + "redeploy test still proves persistence";
    }
}
