package io.github.sqlitecanary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CanaryOptionsTest {

    static CanaryOptions from(String... keyValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return CanaryOptions.fromConfig(key -> Optional.ofNullable(map.get(key)));
    }

    @Test
    void defaultsAreThoseOfTheDocumentation() {
        CanaryOptions options = from(CanaryOptions.DATABASE, "/data/app.db");

        assertEquals(List.of(), options.problems());
        assertTrue(options.enabled());
        assertEquals(List.of("/data/app.db"), options.databases());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "sqlite-persistence-canary"), options.lockDirectory());
        assertEquals(CanaryOptions.OnFailure.READINESS, options.onFailure());
        assertTrue(options.filesystemCheck());
        assertEquals("persistence_canary", options.table());
        assertEquals(Optional.empty(), options.deployId());
        assertEquals(5000, options.busyTimeoutMillis());
    }

    @Test
    void commaSeparatedListGivesSeveralDatabasesAndBlankEntriesAreIgnored() {
        assertEquals(List.of("/a.db", "jdbc:sqlite:/b.db"),
                from(CanaryOptions.DATABASE, " /a.db ,, jdbc:sqlite:/b.db ").databases());
    }

    @Test
    void valuesAreReadCaseInsensitivelyWhereTheyAreWords() {
        CanaryOptions options = from(CanaryOptions.DATABASE, "/a.db", CanaryOptions.ENABLED, "TRUE",
                CanaryOptions.ON_FAILURE, "Fail-Startup");

        assertEquals(List.of(), options.problems());
        assertEquals(CanaryOptions.OnFailure.FAIL_STARTUP, options.onFailure());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sqlite.canary.enabled        | maybe               | sqlite.canary.enabled=\"maybe\" must be true or false",
        "sqlite.canary.filesystem-check | no                | sqlite.canary.filesystem-check=\"no\" must be true or false",
        "sqlite.canary.busy-timeout   | -1                  | sqlite.canary.busy-timeout=\"-1\" must be a whole number of milliseconds",
        "sqlite.canary.busy-timeout   | 5s                  | sqlite.canary.busy-timeout=\"5s\" must be a whole number of milliseconds",
        "sqlite.canary.on-failure     | crash               | sqlite.canary.on-failure=\"crash\" must be one of readiness, fail-startup, log",
        "sqlite.canary.table          | x; DROP TABLE notes | sqlite.canary.table=\"x; DROP TABLE notes\" must be a plain SQL identifier",
        "sqlite.canary.table          | sqlite_canary       | sqlite.canary.table=\"sqlite_canary\" must be a plain SQL identifier",
    })
    void invalidValueIsAProblemThatQuotesKeyValueAndRule(String key, String value, String expected) {
        CanaryOptions options = from(CanaryOptions.DATABASE, "/a.db", key, value);

        assertEquals(1, options.problems().size(), options.problems()::toString);
        assertTrue(options.problems().get(0).startsWith(expected), options.problems().get(0));
    }

    @Test
    void deployIdWithControlCharactersIsAProblem() {
        assertFalse(from(CanaryOptions.DATABASE, "/a.db", CanaryOptions.DEPLOY_ID, "a\nb").problems().isEmpty());
    }

    @Test
    void builderRejectsUnknownKeysAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> CanaryOptions.builder().set("sqlite.canary.databse", "x"));
    }

    @Test
    void builderValidatesLikeEveryOtherSource() {
        CanaryOptions options = CanaryOptions.builder().database("/a.db").table("1st").build();

        assertEquals(1, options.problems().size());
    }
}
