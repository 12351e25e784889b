import AIOpsCore
import Foundation
import Snapshots

/// `aiops restore`: lists a workspace's daily backups, or puts one back as its snapshot (with
/// `aiops serve` stopped), after checking that it decodes whole.
enum RestoreCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, valued: ["data", "workspace", "date"], flags: ["help", "list"])
        } catch {
            Console.error("\(error); see 'aiops restore --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.restore)
            return 0
        }
        guard let data = parsed.value("data"), let workspace = parsed.value("workspace"), parsed.positionals.isEmpty else {
            Console.error("usage: aiops restore --data DIR --workspace NAME (--list | --date YYYY-MM-DD)")
            return 2
        }
        let directory = SnapshotDirectory(dataDirectory: data)
        let backups = directory.backups(workspace: workspace)
        if parsed.has("list") || parsed.value("date") == nil {
            guard !backups.isEmpty else {
                Console.error("no backups in \(directory.backupDirectory(workspace))/ (Pro workspaces keep one a day for 7 days)")
                return 1
            }
            for path in backups {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                print("\(day(of: path))  \(size) bytes  \(path)")
            }
            if parsed.value("date") == nil && !parsed.has("list") {
                print("restore one with: aiops restore --data \(data) --workspace \(workspace) --date YYYY-MM-DD")
            }
            return 0
        }
        let date = parsed.value("date")!
        guard let source = backups.first(where: { day(of: $0) == date }) else {
            Console.error("no backup of workspace \(workspace) for \(date) in \(directory.backupDirectory(workspace))/; 'aiops restore --data \(data) --workspace \(workspace) --list' lists them")
            return 1
        }
        // Never replace a snapshot with a file that would be refused at start.
        do {
            let state = try DurableFile.withMapped(source) { raw throws(SnapshotError) in try SnapshotCodec.decode(raw) }
            guard state.workspace == workspace else {
                Console.error("\(source) was written for workspace \(state.workspace), not \(workspace)")
                return 1
            }
            let bytes = try DurableFile.read(source)
            try DurableFile.write(bytes, to: directory.path(workspace: workspace), temporary: "\(directory.workspaceDirectory(workspace))/.state.snap.tmp")
            try DurableFile.syncDirectory(directory.workspaceDirectory(workspace))
            print("restored \(source) (\(state.seriesCount) series, \(state.openIncidentCount) open incident(s)) as \(directory.path(workspace: workspace)); start 'aiops serve --data \(data)' to resume from it")
            return 0
        } catch let error as SnapshotError {
            Console.error("\(source) cannot be restored: \(error.description)")
            return 1
        } catch {
            Console.error("\(source) cannot be restored: \(error)")
            return 1
        }
    }

    /// `YYYY-MM-DD` of `.../state-YYYY-MM-DD.snap`.
    static func day(of path: String) -> String {
        String((path as NSString).lastPathComponent.dropFirst(6).dropLast(5))
    }
}
