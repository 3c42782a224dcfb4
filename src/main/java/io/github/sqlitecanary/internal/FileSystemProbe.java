package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Judges the storage that holds a database: its file system, whether it can ever survive a
 * redeploy, and what is risky about it.
 */
public final class FileSystemProbe {

    private FileSystemProbe() {
    }

    public static FileSystemProbe ofThisMachine() {
        return new FileSystemProbe();
    }

    /**
     * Examines the storage of a database whose directory exists. Never throws: what cannot be
     * told is {@code unknown} and judges nothing.
     */
    public Storage examine(Path database, Path lockDirectory) {
        try {
            FileStore store = Files.getFileStore(database.getParent());
            return new Storage(store.type(), Optional.empty(), List.of());
        } catch (IOException | RuntimeException e) {
            return Storage.unknown();
        }
    }
}
