package io.github.sqlitecanary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseLocationTest {

    static final Path WORKING_DIRECTORY = Path.of("/srv/app");

    static DatabaseLocation parse(String configured) {
        return DatabaseLocation.parse(configured, WORKING_DIRECTORY);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/data/app.db                                  | /data/app.db",
        "jdbc:sqlite:/data/app.db                      | /data/app.db",
        "JDBC:SQLITE:/data/app.db                      | /data/app.db",
        "jdbc:sqlite:/data/app.db?journal_mode=WAL     | /data/app.db",
        "jdbc:sqlite:file:/data/app.db?cache=shared    | /data/app.db",
        "jdbc:sqlite:file:///data/app.db               | /data/app.db",
        "jdbc:sqlite:file://localhost/data/app.db      | /data/app.db",
        "jdbc:sqlite:file:/data/my%20app%C3%BC.db      | /data/my appü.db",
        "/data/../data/./app.db                        | /data/app.db",
        "data/app.db                                   | /srv/app/data/app.db",
    })
    void fileDatabasesResolveToOneAbsoluteFile(String configured, String file) {
        // ".." is left to the file system (RealPath): "link/.." is not the link's directory.
        assertEquals(Path.of(file), parse(configured).file().orElseThrow().normalize());
    }

    @Test
    void relativePathIsFlagged() {
        assertTrue(parse("app.db").relative());
        assertFalse(parse("/data/app.db").relative());
        assertTrue(parse("jdbc:sqlite:app.db").relative());
    }

    @Test
    void queryStringIsNeverShown() {
        DatabaseLocation location = parse("jdbc:sqlite:/data/app.db?password=hunter2");

        assertEquals("jdbc:sqlite:/data/app.db?…", location.display());
        assertEquals("jdbc:sqlite:/data/app.db?…", DatabaseLocation.withoutQuery("jdbc:sqlite:/data/app.db?password=x"));
    }

    @Test
    void inMemoryAndTemporaryDatabasesAreEphemeral() {
        for (String configured : new String[] {":memory:", "jdbc:sqlite::memory:", "jdbc:sqlite:",
            "jdbc:sqlite:file::memory:", "jdbc:sqlite:file:shared?mode=memory&cache=shared",
            "jdbc:sqlite:file:x.db?cache=shared&mode=memory", "jdbc:sqlite::resource:app.db"}) {
            DatabaseLocation location = parse(configured);
            assertTrue(location.ephemeralReason().isPresent(), configured);
            assertTrue(location.file().isEmpty(), configured);
        }
    }

    @Test
    void modeReadWriteIsNotMistakenForMemory() {
        assertTrue(parse("jdbc:sqlite:file:/data/app.db?mode=rwc").file().isPresent());
    }

    @Test
    void remoteHostInAFileUriIsRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("jdbc:sqlite:file://fileserver/share/app.db"));
        assertTrue(e.getMessage().contains("fileserver"), e.getMessage());
    }

    @Test
    void pathWithANulCharacterIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> parse("/data/app\0.db"));
    }

    @Test
    void fileUriWithAWindowsDriveLetterNamesThePathOnThatDrive() {
        assertEquals("C:/data/app.db", DatabaseLocation.uriPath("///C:/data/app.db", true));
        assertEquals("/C:/data/app.db", DatabaseLocation.uriPath("///C:/data/app.db", false));
        assertEquals("D:/my app.db", DatabaseLocation.uriPath("/D:/my%20app.db", true));
    }

    @Test
    void questionMarkInAPlainPathIsPartOfTheFileNameAndNothingIsHidden() {
        DatabaseLocation location = parse("/data/what?.db");

        assertEquals(Path.of("/data/what?.db"), location.file().orElseThrow());
        assertEquals("/data/what?.db", location.display());
    }

    @Test
    void percentEncodedOrUpperCaseMemoryParametersAreEphemeral() {
        for (String configured : new String[] {"jdbc:sqlite:file:/d/x.db?mode=%6Demory",
            "jdbc:sqlite:file:/d/x.db?vfs=memdb", "jdbc:sqlite:/d/x.db?MODE=MEMORY", "file:/d/x.db?vfs=MemDB"}) {
            assertTrue(parse(configured).ephemeralReason().isPresent(), configured);
        }
    }
}
