package io.github.sqlitecanary;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteDataSource;

/** Test helpers that look into real SQLite files the way a user would, with plain SQL. */
public final class SqliteFiles {

    private SqliteFiles() {
    }

    public static Connection open(Path file) throws SQLException {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + file);
        return dataSource.getConnection();
    }

    public static void execute(Path file, String... statements) throws SQLException {
        try (Connection connection = open(file); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Every row of a query, each row's columns joined with '|'. */
    public static List<String> rows(Path file, String query) throws SQLException {
        try (Connection connection = open(file); Statement statement = connection.createStatement();
                ResultSet resultSet = statement.executeQuery(query)) {
            List<String> rows = new ArrayList<>();
            int columns = resultSet.getMetaData().getColumnCount();
            while (resultSet.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? "|" : "").append(resultSet.getString(i));
                }
                rows.add(row.toString());
            }
            return rows;
        }
    }

    public static int markerRows(Path file) throws SQLException {
        List<String> tables = rows(file, "SELECT name FROM sqlite_master WHERE name = 'persistence_canary'");
        return tables.isEmpty() ? 0 : Integer.parseInt(rows(file, "SELECT count(*) FROM persistence_canary").get(0));
    }
}
