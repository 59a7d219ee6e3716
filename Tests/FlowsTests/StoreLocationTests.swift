import Flows
import Testing

/// `--db`: one value chooses the backend everywhere.
struct StoreLocationTests {
    @Test func aPathIsSQLiteAndAURLIsPostgreSQL() throws {
        #expect(try StoreLocation(parsing: "reviews.sqlite") == .sqlite(path: "reviews.sqlite"))
        #expect(try StoreLocation(parsing: "/tmp/x/reviews.sqlite") == .sqlite(path: "/tmp/x/reviews.sqlite"))
        let location = try StoreLocation(parsing: "postgres://flows:secret@127.0.0.1:5433/reviews?schema=run_1")
        #expect(location == .postgres(PostgresLocation(host: "127.0.0.1", port: 5433, username: "flows", password: "secret", database: "reviews", schema: "run_1")))
        #expect(location.description == "postgres://flows:<redacted>@127.0.0.1:5433/reviews?schema=run_1", "the password never prints")
        #expect(try StoreLocation(parsing: "postgresql://me@db.local/app") == .postgres(PostgresLocation(host: "db.local", username: "me", database: "app")))
    }

    @Test(arguments: [
        ("", "empty"),
        ("mysql://me@host/db", "only postgres://"),
        ("postgres://127.0.0.1:5432/db", "no user"),
        ("postgres://me@127.0.0.1:5432", "no database"),
        ("postgres://me@127.0.0.1:5432/db?sslmode=require", "only a schema parameter"),
        ("postgres://me@127.0.0.1:5432/db?schema=Bad-Name", "letters, digits and underscores"),
        ("postgres://me:hunter2@127.0.0.1:0/db", "port"),
        ("postgres://me:hunter2@[bad/db", "not a postgres:// URL"),
    ])
    func badValuesSayWhatIsWrongWithoutThePassword(text: String, problem: String) {
        let error = #expect(throws: StoreLocationError.self) { try StoreLocation(parsing: text) }
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("hunter2") == false)
    }
}
