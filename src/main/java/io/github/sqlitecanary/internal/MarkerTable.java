package io.github.sqlitecanary.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The canary's own table inside the user's database: one row that proves an earlier boot saw
 * this very database. It is the only thing the canary ever writes into the database, and only
 * after reading that whatever holds the table's name is the canary's own table: never a user's
 * table, view or index, and never a table with a user's trigger on it.
 */
public final class MarkerTable {

    /** The row: when and by which deploy the database was first seen, and when persistence was proven. */
    public record Marker(String firstBootAt, String firstBootDeployId, String lockToken, String verifiedAt,
            String verifiedDeployId) {

        public boolean verified() {
            return verifiedAt != null;
        }
    }

    /** The name belongs to something the canary did not create: never touch it. */
    public static final class ForeignTableException extends Exception {
        private static final long serialVersionUID = 1L;

        ForeignTableException(String message) {
            super(message);
        }
    }

    private static final Set<String> COLUMNS = Set.of("id", "first_boot_at", "first_boot_deploy_id", "lock_token",
            "verified_at", "verified_deploy_id");

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
        if (!checkOwnTable(connection)) {
            return Optional.empty();
        }
        String select = "SELECT first_boot_at, first_boot_deploy_id, lock_token, verified_at, verified_deploy_id"
                + " FROM \"" + table + "\" WHERE id = 1";
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(select)) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new Marker(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                    rows.getString(5)));
        }
    }

    /**
     * Whether the canary's table exists; throws if the name belongs to anything else.
     */
    private boolean checkOwnTable(Connection connection) throws SQLException, ForeignTableException {
        boolean table = false;
        try (PreparedStatement named = connection.prepareStatement(
                "SELECT type, name, tbl_name FROM sqlite_master WHERE name = ? COLLATE NOCASE"
                        + " OR (type = 'trigger' AND tbl_name = ? COLLATE NOCASE)")) {
            named.setString(1, this.table);
            named.setString(2, this.table);
            try (ResultSet rows = named.executeQuery()) {
                while (rows.next()) {
                    String type = rows.getString(1);
                    if (type.equals("table") && rows.getString(2).equalsIgnoreCase(this.table)) {
                        table = true;
                    } else if (type.equals("trigger") && rows.getString(3).equalsIgnoreCase(this.table)
                            && !rows.getString(2).equalsIgnoreCase(this.table)) {
                        throw new ForeignTableException("the database has a trigger \"" + rows.getString(2)
                                + "\" on the table \"" + this.table + "\" that the canary did not create");
                    } else {
                        throw new ForeignTableException("the database already has " + article(type) + " named \""
                                + rows.getString(2) + "\" that the canary did not create");
                    }
                }
            }
        }
        if (!table) {
            return false;
        }
        Set<String> columns = new HashSet<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA table_info(\"" + this.table + "\")")) {
            while (rows.next()) {
                columns.add(rows.getString("name").toLowerCase(Locale.ROOT));
            }
        }
        if (!columns.equals(COLUMNS)) {
            throw new ForeignTableException("the database already has a table named \"" + this.table
                    + "\" that the canary did not create");
        }
        return true;
    }

    private static String article(String type) {
        return type.startsWith("i") ? "an " + type : "a " + type;
    }

    /** Creates the table if it is missing; call inside the marker transaction, after {@link #read}. */
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
