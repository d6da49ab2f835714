using Microsoft.Data.Sqlite;

namespace E2eeChat.Storage.Sqlite;

/// <summary>
/// A connection that can hold its database's writer gate, from <see cref="EnterWriterGateAsync"/> until it is
/// closed or disposed (the end of the store call, after its transaction committed or rolled back). A kept-open
/// connection (the dialect's one writer connection) only leaves the gate then, and stays open for the next writer
/// until <see cref="CloseForGood"/>.
/// </summary>
internal sealed class WriterGatedConnection(string connectionString, SemaphoreSlim writerGate, bool keepOpen = false)
    : SqliteConnection(connectionString)
{
    private bool _holdsGate;
    private bool _closingForGood;

    /// <summary>The caller entered the gate itself, before it had this connection.</summary>
    public void HoldGate() => _holdsGate = true;

    public void CloseForGood()
    {
        _closingForGood = true;
        Dispose();
    }

    public async Task EnterWriterGateAsync(CancellationToken cancellationToken)
    {
        if (_holdsGate)
        {
            return;
        }
        await writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _holdsGate = true;
    }

    public override void Close()
    {
        try
        {
            if (!keepOpen || _closingForGood)
            {
                base.Close();
            }
        }
        finally
        {
            LeaveWriterGate();
        }
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            if (!keepOpen || _closingForGood)
            {
                base.Dispose(disposing);
            }
        }
        finally
        {
            LeaveWriterGate();
        }
    }

    private void LeaveWriterGate()
    {
        if (_holdsGate)
        {
            _holdsGate = false;
            writerGate.Release();
        }
    }
}
