using E2eeChat.LoadTest.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops sending and still writes the report; a second one ends the process.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
return await LoadTestCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
