namespace E2eeChat.Storage;

/// <summary>
/// The embedded server's data directory and files (database, WAL, signing key) are its user's alone: created
/// with owner-only modes from the start, never created readable and narrowed afterwards.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the directory (and missing parents) as 0700; one that exists already is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

    /// <summary>Creates the file empty as 0600 when it is missing; narrows it to 0600 when it exists.</summary>
    public static void Ensure(string path)
    {
        try
        {
            using var created = new FileStream(path, Options(FileMode.CreateNew));
        }
        catch (IOException) when (File.Exists(path))
        {
            Restrict(path);
        }
    }

    /// <summary>Writes a new file as 0600; false, writing nothing, when it exists already.</summary>
    public static bool TryCreate(string path, ReadOnlySpan<byte> content)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, Options(FileMode.CreateNew));
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        using (file)
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        return true;
    }

    /// <summary>Narrows an existing file, left by an older version, to 0600; a missing file is fine.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path) && File.GetUnixFileMode(path) != OwnerOnlyFile)
        {
            File.SetUnixFileMode(path, OwnerOnlyFile);
        }
    }

    private static FileStreamOptions Options(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }
        return options;
    }
}
