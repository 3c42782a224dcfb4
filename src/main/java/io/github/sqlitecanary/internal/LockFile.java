package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The lock file that a first boot leaves in the disposable temporary directory.
 *
 * <p>Its presence is all that counts; its content only helps a person who finds it. Nothing here
 * ever follows a symbolic link: a link planted in a shared temporary directory must not make the
 * canary write somewhere else, or trust a directory that others control.
 */
public final class LockFile {

    /** The lock directory or file cannot be used safely; the message says what was found. */
    public static final class UnusableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableException(String message) {
            super(message);
        }

        UnusableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path directory;
    private final Path file;

    private LockFile(Path directory, Path file) {
        this.directory = directory;
        this.file = file;
    }

    /**
     * The lock of one database: a file named after the database, inside the lock directory. The
     * name holds a hash of the full path, so that two databases named {@code app.db} in different
     * directories never share a lock.
     */
    public static LockFile of(Path lockDirectory, Path database) {
        String name = database.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.length() > 64) {
            name = name.substring(0, 64);
        }
        return new LockFile(lockDirectory, lockDirectory.resolve(name + "-" + shortHash(database) + ".lock"));
    }

    private static String shortHash(Path database) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(database.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public Path path() {
        return file;
    }

    public Path directory() {
        return directory;
    }

    /** Whether the lock is there. Reads only; a missing lock directory means no lock. */
    public boolean exists() throws UnusableException {
        if (!checkDirectory()) {
            return false;
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UnusableException("cannot read the lock file " + file + ": " + describe(e), e);
        }
        if (attributes.isSymbolicLink()) {
            throw new UnusableException("the lock file " + file + " is a symbolic link; the canary never follows "
                    + "links in the lock directory. Remove the link");
        }
        if (!attributes.isRegularFile()) {
            throw new UnusableException("the lock file " + file + " is not a regular file. Remove it");
        }
        return true;
    }

    /**
     * Creates the lock and forces it, and then its directory entry, to disk, so that a marker
     * committed afterwards can never be seen without its lock.
     *
     * @throws FileAlreadyExistsException when another instance created the lock first
     */
    public void create(String content) throws UnusableException, FileAlreadyExistsException {
        ensureDirectory();
        try (FileChannel channel = FileChannel.open(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
            CrashPoint.reach(CrashPoint.LOCK_CREATED);
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
            CrashPoint.reach(CrashPoint.LOCK_FORCED);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            throw new UnusableException("cannot create the lock file " + file + ": " + describe(e), e);
        }
        forceDirectory();
        CrashPoint.reach(CrashPoint.DIRECTORY_FORCED);
    }

    private void forceDirectory() throws UnusableException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UnusableException("cannot force the lock directory " + directory + " to disk: " + describe(e), e);
        }
    }

    /**
     * Makes sure the lock directory exists and is safe, creating it owner-only where it is missing.
     * Called before the database is opened for writing, so that a lock directory that cannot be
     * made leaves not even an empty database file behind.
     */
    public void ensureDirectory() throws UnusableException {
        if (checkDirectory()) {
            return;
        }
        try {
            Path parent = directory.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            // Another instance created it a moment ago: judge it like any existing directory.
        } catch (IOException e) {
            throw new UnusableException("cannot create the lock directory " + directory + ": " + describe(e), e);
        }
        if (!checkDirectory()) {
            throw new UnusableException("the lock directory " + directory + " vanished right after it was created");
        }
    }

    /**
     * Checks the lock directory without following links: it must be a real directory, owned by
     * this process's user, and writable by nobody else.
     *
     * @return false if it does not exist
     */
    private boolean checkDirectory() throws UnusableException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(directory, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UnusableException("cannot read the lock directory " + directory + ": " + describe(e), e);
        }
        if (attributes.isSymbolicLink()) {
            throw new UnusableException("the lock directory " + directory + " is a symbolic link; the canary never "
                    + "follows links there. Point sqlite.canary.lock-dir at the real directory");
        }
        if (!attributes.isDirectory()) {
            throw new UnusableException("the lock directory " + directory + " is not a directory");
        }
        checkOwnership();
        return true;
    }

    private void checkOwnership() throws UnusableException {
        PosixFileAttributes posix;
        try {
            posix = Files.readAttributes(directory, PosixFileAttributes.class, NO_FOLLOW);
        } catch (UnsupportedOperationException e) {
            return; // no POSIX permissions to judge (Windows)
        } catch (IOException e) {
            throw new UnusableException("cannot read the permissions of the lock directory " + directory + ": "
                    + describe(e), e);
        }
        Set<PosixFilePermission> permissions = posix.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnusableException("the lock directory " + directory + " is writable by other users ("
                    + PosixFilePermissions.toString(permissions) + "), so they could plant or remove the lock. "
                    + "Use a directory of its own that only this user can write, such as the default "
                    + "${java.io.tmpdir}/sqlite-persistence-canary");
        }
        Integer owner = ProcessOwner.uidOf(directory);
        Integer self = ProcessOwner.uid();
        if (owner != null && self != null && !owner.equals(self)) {
            throw new UnusableException("the lock directory " + directory + " belongs to user id " + owner
                    + ", not to this process's user id " + self + ". Use a directory this user owns");
        }
    }

    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
