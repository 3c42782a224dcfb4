package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A path as the file system resolves it: every symbolic link and {@code ..} of its existing part
 * resolved by the operating system, the part that does not exist yet appended as written.
 *
 * <p>One database has one real path however it is spelled (through a symbolic link, a relative
 * path in a linked working directory, {@code ..}), and so one lock.
 */
public final class RealPath {

    private RealPath() {
    }

    private static final int MAX_LINKS = 40; // as the kernel's ELOOP limit

    /**
     * The real path of an absolute path; never throws, falls back to the normalised path. A
     * symbolic link at the end whose target does not exist yet is followed too: the file would
     * be created where the link points.
     */
    public static Path of(Path absolute) {
        Path real = existingPrefixResolved(absolute);
        for (int hop = 0; hop < MAX_LINKS && isDanglingLink(real); hop++) {
            try {
                real = existingPrefixResolved(real.resolveSibling(Files.readSymbolicLink(real)));
            } catch (IOException | SecurityException e) {
                return real;
            }
        }
        return real;
    }

    private static Path existingPrefixResolved(Path absolute) {
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute.normalize();
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
        } catch (IOException | SecurityException e) {
            return absolute.normalize();
        }
    }

    /** Whether the path itself is a symbolic link whose target does not exist. */
    public static boolean isDanglingLink(Path path) {
        return Files.isSymbolicLink(path) && !Files.exists(path);
    }
}
