package io.github.sqlitecanary.examples.notes;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The notes REST API under {@code /api}. Helidon MP finds it through CDI, so it needs a
 * bean-defining annotation, like the resource.
 */
@ApplicationScoped
@ApplicationPath("/api")
public class NotesApplication extends Application {
}
