package io.github.sqlitecanary.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The canary's own table inside the user's database: one row that proves an earlier boot saw
 * this very database. It is the only thing the canary ever writes into the database.
 */
public final class MarkerTable {

    /** The row: when and by which deploy the database was first seen, and when persistence was proven. */
    public record Marker(String firstBootAt, String firstBootDeployId, String lockToken, String verifiedAt,
            String verifiedDeployId) {

        public boolean verified() {
            return verifiedAt != null;
        }
    }

    /** The table exists but was not created by the canary: never touch it. */
    public static final class ForeignTableException extends Exception {
        private static final long serialVersionUID = 1L;

        ForeignTableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String table;

    /** @param table a plain identifier, validated by the options */
    public MarkerTable(String table) {
        this.table = table;
    }

    public String name() {
        return table;
    }

    /** Reads the marker; empty when the table or its row does not exist. Writes nothing. */
    public Optional<Marker> read(Connection connection) throws SQLException, ForeignTableException {
        try (PreparedStatement exists = connection.prepareStatement(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE")) {
            exists.setString(1, table);
            try (ResultSet rows = exists.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
            }
        }
        String select = "SELECT first_boot_at, first_boot_deploy_id, lock_token, verified_at, verified_deploy_id"
                + " FROM \"" + table + "\" WHERE id = 1";
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(select)) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new Marker(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                    rows.getString(5)));
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such column")) {
                throw new ForeignTableException("the database already has a table named \"" + table
                        + "\" that the canary did not create", e);
            }
            throw e;
        }
    }

    /** Creates the table if it is missing; call inside the marker transaction. */
    public void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("CREATE TABLE IF NOT EXISTS \"" + table + "\" ("
                    + "id INTEGER PRIMARY KEY CHECK (id = 1), "
                    + "first_boot_at TEXT NOT NULL, "
                    + "first_boot_deploy_id TEXT, "
                    + "lock_token TEXT NOT NULL, "
                    + "verified_at TEXT, "
                    + "verified_deploy_id TEXT)");
        }
    }

    /** Inserts the first-boot row; call inside the marker transaction, after {@link #create}. */
    public void insert(Connection connection, Marker marker) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO \"" + table
                + "\" (id, first_boot_at, first_boot_deploy_id, lock_token) VALUES (1, ?, ?, ?)")) {
            insert.setString(1, marker.firstBootAt());
            insert.setString(2, marker.firstBootDeployId());
            insert.setString(3, marker.lockToken());
            insert.executeUpdate();
        }
    }

    /** Records that persistence was proven; a no-op where another instance recorded it first. */
    public void markVerified(Connection connection, String at, String deployId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE \"" + table
                + "\" SET verified_at = ?, verified_deploy_id = ? WHERE id = 1 AND verified_at IS NULL")) {
            update.setString(1, at);
            update.setString(2, deployId);
            update.executeUpdate();
        }
    }
}
