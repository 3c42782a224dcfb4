package io.github.sqlitecanary.examples.notes;

/** The body of {@code POST /api/notes}: {@code {"text":"..."}}. */
public record NewNote(String text) {
}
