using ZeroBuffer.Internal;

namespace ZeroBuffer;

/// <summary>Facts of the wire protocol this library speaks.</summary>
public static class WireProtocol
{
    /// <summary>The protocol version as text, "major.minor.patch" (what a serve reports as wireVersion).</summary>
    public static string Version { get; } = $"{Oieb.VersionMajor}.{Oieb.VersionMinor}.{Oieb.VersionPatch}";
}
