package io.github.sqlitecanary.examples.notes;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The notes REST API under {@code /api}. */
@ApplicationPath("/api")
public class NotesApplication extends Application {
}
