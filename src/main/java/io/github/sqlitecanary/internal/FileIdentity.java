package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * A file and the identity it had when it was verified (device and inode on Unix), so that one
 * {@code stat} tells whether it is still the same file.
 */
public record FileIdentity(Path file, Object key) {

    /** What one {@code stat} of the file finds, compared with the identity it had. */
    public enum Change {
        SAME,
        DELETED,
        REPLACED,
        /** The {@code stat} itself failed (EIO, ESTALE on NFS): nothing is known, which is no verdict. */
        UNREADABLE
    }

    /** Reads the file's identity now; empty where the file does not exist or cannot be read. */
    public static Optional<FileIdentity> of(Path file) {
        try {
            return Optional.of(read(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static FileIdentity read(Path file) throws IOException {
        return new FileIdentity(file, Files.readAttributes(file, BasicFileAttributes.class).fileKey());
    }

    /** One {@code stat}: is the file still there, and still the same file? */
    public Change change() {
        FileIdentity now;
        try {
            now = read(file);
        } catch (NoSuchFileException e) {
            return Change.DELETED;
        } catch (IOException e) {
            return Change.UNREADABLE;
        }
        // Without a file key (some platforms), a file that is still there counts as the same.
        return key == null || Objects.equals(key, now.key) ? Change.SAME : Change.REPLACED;
    }
}
