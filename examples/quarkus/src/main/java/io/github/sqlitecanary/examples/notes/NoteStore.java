package io.github.sqlitecanary.examples.notes;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The application's own data, in the SQLite database that the canary guards.
 *
 * <p>The path comes from {@code notes.database}, which {@code application.properties} sets to
 * {@code ${sqlite.canary.database}}: the application and the canary always look at the same file,
 * and {@code SQLITE_CANARY_DATABASE} moves both.
 *
 * <p>Connections come from {@link SQLiteDataSource} directly: Quarkus' own datasources (Agroal)
 * have no SQLite driver in the core platform, and a notes API needs no pool.
 */
@ApplicationScoped
public class NoteStore {

    @Inject
    @ConfigProperty(name = "notes.database")
    String database;

    private SQLiteDataSource dataSource;

    @PostConstruct
    void open() {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(5000);
        dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(database.startsWith("jdbc:sqlite:") ? database : "jdbc:sqlite:" + database);
    }

    public List<Note> list() throws SQLException {
        try (Connection connection = connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id, text, created FROM notes ORDER BY id")) {
            List<Note> notes = new ArrayList<>();
            while (rows.next()) {
                notes.add(new Note(rows.getLong(1), rows.getString(2), rows.getString(3)));
            }
            return notes;
        }
    }

    public Note add(String text) throws SQLException {
        String created = Instant.now().toString();
        try (Connection connection = connect();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO notes (text, created) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, text);
            insert.setString(2, created);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return new Note(keys.getLong(1), text, created);
            }
        }
    }

    private Connection connect() throws SQLException {
        Connection connection = dataSource.getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS notes ("
                    + "id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, created TEXT NOT NULL)");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }
}
