// Prints one plain closing line CI log readers recognise: "tests: N passed, N failed, N skipped".
// Written at process exit, after Jest's own summary, so it is the last line of the log.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
