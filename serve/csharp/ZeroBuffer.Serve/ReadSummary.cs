using System.Collections.Generic;
using System.Text.Json;
using System.Text.Unicode;

namespace ZeroBuffer.Serve;

/// <summary>What a readFrames call observed so far: the summary keys and the first 64 frames.</summary>
internal sealed class ReadSummary
{
    private const int MaxListedFrames = 64;

    public long Read { get; private set; }

    public long Bytes { get; private set; }

    public ulong FirstSequence { get; private set; }

    public ulong LastSequence { get; private set; }

    public bool AllValid { get; private set; } = true;

    public bool InOrder { get; private set; } = true;

    public List<FrameReport> Listed { get; } = [];

    public void Add(Frame frame, bool verify, long seed)
    {
        var data = frame.Span;
        bool? valid = null;
        int badOffset = -1;
        if (verify)
        {
            valid = PayloadPattern.Verify(data, frame.Sequence, seed, out badOffset);
            AllValid &= valid.Value;
        }

        if (Read > 0 && frame.Sequence != LastSequence + 1)
        {
            InOrder = false;
        }

        if (Read == 0)
        {
            FirstSequence = frame.Sequence;
        }

        LastSequence = frame.Sequence;
        Read++;
        Bytes += data.Length;
        if (Listed.Count < MaxListedFrames)
        {
            string? text = !verify && Utf8.IsValid(data) ? System.Text.Encoding.UTF8.GetString(data) : null;
            Listed.Add(new FrameReport(frame.Sequence, data.Length, valid, valid == false ? badOffset : null, text));
        }
    }

    public void WriteSummary(Utf8JsonWriter json)
    {
        json.WriteNumber("read", Read);
        json.WriteNumber("bytes", Bytes);
        json.WriteNumber("firstSequence", FirstSequence);
        json.WriteNumber("lastSequence", LastSequence);
        json.WriteBoolean("allValid", AllValid);
        json.WriteBoolean("inOrder", InOrder);
    }
}

/// <summary>One entry of readFrames' <c>frames</c> list.</summary>
internal sealed record FrameReport(ulong Sequence, int Size, bool? Valid, int? BadOffset, string? Text)
{
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", Sequence);
        json.WriteNumber("size", Size);
        if (Valid is { } valid)
        {
            json.WriteBoolean("valid", valid);
        }

        if (BadOffset is { } offset)
        {
            json.WriteNumber("badOffset", offset);
        }

        if (Text is not null)
        {
            json.WriteString("text", Text);
        }

        json.WriteEndObject();
    }
}
