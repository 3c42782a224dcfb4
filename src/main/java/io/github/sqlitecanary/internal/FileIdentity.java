package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.file.Files;
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
        SAME, DELETED, REPLACED
    }

    /** Reads the file's identity now; empty where the file does not exist or cannot be read. */
    public static Optional<FileIdentity> of(Path file) {
        try {
            return Optional.of(new FileIdentity(file, Files.readAttributes(file, BasicFileAttributes.class).fileKey()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One {@code stat}: is the file still there, and still the same file? */
    public Change change() {
        Optional<FileIdentity> now = of(file);
        if (now.isEmpty()) {
            return Change.DELETED;
        }
        // Without a file key (some platforms), a file that is still there counts as the same.
        return key == null || Objects.equals(key, now.get().key) ? Change.SAME : Change.REPLACED;
    }
}
