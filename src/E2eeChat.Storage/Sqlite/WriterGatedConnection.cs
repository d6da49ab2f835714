using Microsoft.Data.Sqlite;

namespace E2eeChat.Storage.Sqlite;

/// <summary>
/// A connection that can hold its database's writer gate, from <see cref="EnterWriterGateAsync"/> until it is
/// closed or disposed (the end of the store call, after its transaction committed or rolled back).
/// </summary>
internal sealed class WriterGatedConnection(string connectionString, SemaphoreSlim writerGate) : SqliteConnection(connectionString)
{
    private bool _holdsGate;

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
            base.Close();
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
            base.Dispose(disposing);
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
