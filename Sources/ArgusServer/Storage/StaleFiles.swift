import Foundation

/// Half-written files left by a crash (a staged image, an upload or a live recording
/// streaming into `incoming/`): removed by the hourly retention once untouched for a day,
/// so that a file still being written is never taken.
enum StaleFiles {
    /// Removes the files directly in `folder` last changed before `date`; how many went.
    static func remove(in folder: String, changedBefore date: Date) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed = 0
        for name in names {
            let path = folder + "/" + name
            guard let changed = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                changed < date, (try? FileManager.default.removeItem(atPath: path)) != nil
            else { continue }
            removed += 1
        }
        return removed
    }
}
