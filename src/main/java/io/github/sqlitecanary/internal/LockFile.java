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
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The lock file that a first boot leaves in the disposable temporary directory.
 *
 * <p>Its presence is all that counts; its content only helps a person who finds it. Nothing here
 * ever follows a symbolic link at the lock directory or the lock file: a link planted in a shared
 * temporary directory must not make the canary write somewhere else, or trust a directory that
 * others control. Nor may anyone else be able to move the lock directory away: every directory
 * above it must be writable only by this user or root, or sticky like {@code /tmp}.
 */
public final class LockFile {

    /** Whether the lock is there, read without writing anything. */
    public enum Presence {
        ABSENT, PRESENT
    }

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
    private static final int ROOT = 0;

    private final Path directory;
    private final Path file;
    private final LocalSystem localSystem;

    private LockFile(Path directory, Path file, LocalSystem localSystem) {
        this.directory = directory;
        this.file = file;
        this.localSystem = localSystem;
    }

    /**
     * The lock of one database: a file named after the database's real path, inside the lock
     * directory. The name holds a hash of that path, so that two databases named {@code app.db}
     * in different directories never share a lock, and one database reached through different
     * spellings always does.
     *
     * @param database the database's real path ({@link RealPath})
     */
    public static LockFile of(Path lockDirectory, Path database, LocalSystem localSystem) {
        // The directory's parents may be links (macOS's /tmp); the directory itself must not be.
        Path absolute = lockDirectory.toAbsolutePath().normalize();
        Path directory = absolute.getParent() == null ? absolute
                : RealPath.of(absolute.getParent()).resolve(absolute.getFileName());
        String name = database.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.length() > 64) {
            name = name.substring(0, 64);
        }
        return new LockFile(directory, directory.resolve(name + "-" + shortHash(database) + ".lock"), localSystem);
    }

    /** The lock of a database as configured (any spelling), on this machine. */
    public static LockFile of(Path lockDirectory, Path database) {
        return of(lockDirectory, RealPath.of(database.toAbsolutePath()), LocalSystem.ofThisMachine());
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
    public Presence presence() throws UnusableException {
        checkParents();
        if (!checkDirectory()) {
            return Presence.ABSENT;
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            return Presence.ABSENT;
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
        checkOwner(file, "the lock file");
        return Presence.PRESENT;
    }

    /**
     * Why a first boot could not create the lock, judged without writing: the lock directory, or
     * the nearest existing directory above it, must be writable by this process. Empty if it can.
     */
    public Optional<String> creationProblem() {
        Path existing = directory;
        while (existing != null && !Files.exists(existing, NO_FOLLOW)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing, NO_FOLLOW)) {
            return Optional.of("cannot create the lock directory " + directory + ": "
                    + (existing == null ? "no directory above it exists" : existing + " is not a directory"));
        }
        if (!Files.isWritable(existing)) {
            return Optional.of((existing.equals(directory) ? "cannot create the lock file in "
                    : "cannot create the lock directory " + directory + ": ") + existing
                    + " is not writable by this process (read-only, or permission denied)");
        }
        return Optional.empty();
    }

    /**
     * Creates the lock and forces it, and then its directory entry, to disk, so that a marker
     * committed afterwards can never be seen without its lock.
     *
     * @throws FileAlreadyExistsException when the lock appeared since it was last read
     */
    public void create(String content, FirstBootStep.Listener steps)
            throws UnusableException, FileAlreadyExistsException {
        ensureDirectory();
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try (FileChannel channel = localSystem.posix()
                ? FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
                : FileChannel.open(file, options)) {
            steps.reached(FirstBootStep.LOCK_CREATED);
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
            steps.reached(FirstBootStep.LOCK_FORCED);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            throw new UnusableException("cannot create the lock file " + file + ": " + describe(e), e);
        }
        forceDirectory();
        steps.reached(FirstBootStep.DIRECTORY_FORCED);
    }

    private void forceDirectory() throws UnusableException {
        if (!localSystem.posix()) {
            return; // a directory cannot be opened, let alone forced, on Windows
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UnusableException("cannot force the lock directory " + directory + " to disk: " + describe(e), e);
        }
    }

    /**
     * Makes sure the lock directory exists and is safe, creating it, and every missing directory
     * above it, owner-only (whatever the umask). Called before the database is opened for writing,
     * so that a lock directory that cannot be made leaves not even an empty database file behind.
     */
    public void ensureDirectory() throws UnusableException {
        checkParents();
        if (checkDirectory()) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path path = directory; path != null && !Files.exists(path, NO_FOLLOW); path = path.getParent()) {
            missing.add(0, path);
        }
        try {
            for (Path path : missing) {
                createOwnerOnly(path);
            }
        } catch (IOException e) {
            throw new UnusableException("cannot create the lock directory " + directory + ": " + describe(e), e);
        }
        checkParents();
        if (!checkDirectory()) {
            throw new UnusableException("the lock directory " + directory + " vanished right after it was created");
        }
    }

    private void createOwnerOnly(Path path) throws IOException {
        FileAttribute<?>[] ownerOnly = localSystem.posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY)}
                : new FileAttribute<?>[0];
        try {
            Files.createDirectory(path, ownerOnly);
        } catch (FileAlreadyExistsException e) {
            // Another instance created it a moment ago: it is judged like any existing directory.
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
        Optional<PosixFileAttributes> posix = posixAttributes(directory, "the lock directory");
        if (posix.isPresent()) {
            Set<PosixFilePermission> permissions = posix.get().permissions();
            if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new UnusableException("the lock directory " + directory + " is writable by other users ("
                        + PosixFilePermissions.toString(permissions) + "), so they could plant or remove the lock. "
                        + "Use a directory of its own that only this user can write, such as the default "
                        + "${java.io.tmpdir}/sqlite-persistence-canary");
            }
            checkOwner(directory, "the lock directory");
        }
        return true;
    }

    /**
     * Every existing directory above the lock directory: whoever may write one of them could move
     * the lock directory away (and a later boot would take the missing lock for a redeploy),
     * unless it is sticky like {@code /tmp}, where only an entry's owner may rename it.
     */
    private void checkParents() throws UnusableException {
        if (!localSystem.posix()) {
            return;
        }
        for (Path parent = directory.getParent(); parent != null; parent = parent.getParent()) {
            Optional<PosixFileAttributes> posix = posixAttributes(parent, "the directory");
            if (posix.isEmpty()) {
                continue; // not there yet: it will be created owner-only
            }
            Set<PosixFilePermission> permissions = posix.get().permissions();
            boolean sticky = isSticky(parent);
            OptionalInt owner = ownerOf(parent);
            boolean ownerIsSomeoneElse = owner.isPresent() && owner.getAsInt() != ROOT
                    && !owner.equals(localSystem.uid()) && permissions.contains(PosixFilePermission.OWNER_WRITE);
            boolean othersMayWrite = permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE) || ownerIsSomeoneElse;
            if (othersMayWrite && !sticky) {
                throw new UnusableException("the directory " + parent + " above the lock directory " + directory
                        + " is writable by other users (" + PosixFilePermissions.toString(permissions)
                        + (ownerIsSomeoneElse ? ", owner user id " + owner.getAsInt() : "")
                        + ") and not sticky, so they could move the lock away. Use a lock directory under a "
                        + "directory that only this user (or root) can write, or under a sticky one like /tmp");
            }
        }
    }

    private OptionalInt ownerOf(Path path) throws UnusableException {
        try {
            return ProcessOwner.uidOf(path);
        } catch (IOException e) {
            throw new UnusableException("cannot read the owner of " + path + ": " + describe(e), e);
        }
    }

    private static boolean isSticky(Path directory) {
        try {
            Object mode = Files.getAttribute(directory, "unix:mode", NO_FOLLOW);
            return mode instanceof Integer bits && (bits & 01000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private Optional<PosixFileAttributes> posixAttributes(Path path, String what) throws UnusableException {
        if (!localSystem.posix()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAttributes(path, PosixFileAttributes.class, NO_FOLLOW));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UnusableException("cannot read the permissions of " + what + " " + path + ": "
                    + describe(e), e);
        }
    }

    private void checkOwner(Path path, String what) throws UnusableException {
        if (!localSystem.posix() || localSystem.uid().isEmpty()) {
            return;
        }
        OptionalInt owner = ownerOf(path);
        if (owner.isPresent() && owner.getAsInt() != localSystem.uid().getAsInt()) {
            throw new UnusableException(what + " " + path + " belongs to user id " + owner.getAsInt()
                    + ", not to this process's user id " + localSystem.uid().getAsInt()
                    + ", so it cannot be trusted or managed by this user. Use a lock directory this user owns "
                    + "(remove the old one, or point sqlite.canary.lock-dir elsewhere)");
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
