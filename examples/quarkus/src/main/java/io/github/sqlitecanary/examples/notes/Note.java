package io.github.sqlitecanary.examples.notes;

/** One note, as stored and as sent over JSON. */
public record Note(long id, String text, String created) {
}
