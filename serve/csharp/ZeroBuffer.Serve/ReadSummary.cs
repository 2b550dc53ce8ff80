using System.Collections.Generic;
using System.Text.Json;
using System.Text.Unicode;

namespace ZeroBuffer.Serve;

/// <summary>
/// What a readFrames call observed so far: the summary keys and every frame, reported as the
/// reader got it. Judging it is the client's business.
/// </summary>
internal sealed class ReadSummary
{
    /// <summary>Frames up to this size also report their bytes as text when they are valid UTF-8.</summary>
    private const int MaxTextFrame = 1024;

    public long Read { get; private set; }

    public long Bytes { get; private set; }

    public ulong FirstSequence { get; private set; }

    public ulong LastSequence { get; private set; }

    public List<FrameReport> Listed { get; } = [];

    public void Add(Frame frame)
    {
        var data = frame.Span;
        if (Read == 0)
        {
            FirstSequence = frame.Sequence;
        }

        LastSequence = frame.Sequence;
        Read++;
        Bytes += data.Length;
        string? text = data.Length <= MaxTextFrame && Utf8.IsValid(data) ? System.Text.Encoding.UTF8.GetString(data) : null;
        Listed.Add(new FrameReport(frame.Sequence, data.Length, FrameChecksum.Of(data), text));
    }

    /// <summary>Writes the summary keys and the frame list (a result or the data of an error).</summary>
    public void WriteSummary(Utf8JsonWriter json)
    {
        json.WriteNumber("read", Read);
        json.WriteNumber("bytes", Bytes);
        json.WriteNumber("firstSequence", FirstSequence);
        json.WriteNumber("lastSequence", LastSequence);
        json.WriteStartArray("frames");
        foreach (FrameReport report in Listed)
        {
            report.Write(json);
        }

        json.WriteEndArray();
    }
}

/// <summary>One entry of readFrames' <c>frames</c> list.</summary>
internal sealed record FrameReport(ulong Sequence, int Size, string Checksum, string? Text)
{
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", Sequence);
        json.WriteNumber("size", Size);
        json.WriteString("checksum", Checksum);
        if (Text is not null)
        {
            json.WriteString("text", Text);
        }

        json.WriteEndObject();
    }
}
