package io.github.sqlitecanary.internal;

import java.nio.file.FileSystems;
import java.util.OptionalInt;

/**
 * What the operating system offers the lock: POSIX permissions and owners (and with them a
 * directory that can be forced to disk), and the process's user id. Off Linux and macOS (Windows
 * developers' machines) there are neither, and nothing that needs them is tried.
 *
 * @param posix whether files have POSIX permissions and owners
 * @param uid this process's real user id; empty where the platform cannot tell
 */
public record Platform(boolean posix, OptionalInt uid) {

    public static Platform ofThisMachine() {
        return new Platform(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                ProcessOwner.uid());
    }
}
