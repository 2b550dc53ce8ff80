using System;
using System.IO;
using Xunit;

namespace ZeroBuffer.Tests;

public class NameAndConfigTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("test_buffer-123.v2")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e")]
    public void Valid_names_create_objects_at_the_documented_paths(string prefix)
    {
        string name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        using (var reader = new Reader(name, new BufferConfig(0, 64)))
        {
            foreach (string path in TestEnvironment.AllPaths(name))
            {
                Assert.True(File.Exists(path), path);
            }
        }

        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Fact]
    public void A_200_character_name_works()
    {
        string name = "n" + Guid.NewGuid().ToString("N") + new string('x', 200 - 33);
        Assert.Equal(200, name.Length);
        using var reader = new Reader(name, new BufferConfig(0, 64));
        using var writer = new Writer(name);
        writer.WriteFrame([1, 2, 3]);
        using Frame frame = reader.ReadFrame(TimeSpan.FromSeconds(1));
        Assert.Equal(new byte[] { 1, 2, 3 }, frame.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("../x")]
    [InlineData("has space")]
    [InlineData(".hidden")]
    [InlineData("caf\u00e9")]
    [InlineData("nul\0byte")]
    public void Invalid_names_are_refused_before_any_object_is_created(string name)
    {
        var readerError = Assert.Throws<InvalidNameException>(() => new Reader(name, new BufferConfig(0, 64)));
        Assert.Equal("InvalidName", readerError.Kind);
        Assert.Throws<InvalidNameException>(() => new Writer(name));
        if (name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal))
        {
            Assert.Empty(TestEnvironment.Leftovers(name));
        }
    }

    [Fact]
    public void A_201_character_name_is_invalid()
    {
        string name = new('a', 201);
        Assert.Throws<InvalidNameException>(() => new Reader(name, new BufferConfig(0, 64)));
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Theory]
    [InlineData(1, 1, 64, 64)]
    [InlineData(64, 64, 64, 64)]
    [InlineData(65, 100, 128, 128)]
    [InlineData(0, 4096, 0, 4096)]
    public void Sizes_are_rounded_up_to_64_and_the_object_is_exactly_128_plus_both(long metadata, long payload, long roundedMetadata, long roundedPayload)
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(metadata, payload));
        Assert.Equal(roundedMetadata, reader.MetadataSize);
        Assert.Equal(roundedPayload, reader.PayloadSize);
        Assert.Equal(128 + roundedMetadata + roundedPayload, new FileInfo(TestEnvironment.ShmPath(name)).Length);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 64)]
    [InlineData(0, -5)]
    [InlineData(0, (1L << 40) + 1)]
    [InlineData(long.MaxValue, 64)]
    public void Impossible_sizes_are_refused_by_the_config_as_invalid_frame_size(long metadata, long payload)
    {
        Assert.Equal("InvalidFrameSize", Assert.Throws<InvalidFrameSizeException>(() => new BufferConfig(metadata, payload)).Kind);
    }

    [Fact]
    public void A_buffer_larger_than_free_shared_memory_is_a_clear_error_and_leaks_nothing()
    {
        string name = TestEnvironment.UniqueName();
        var error = Assert.Throws<ZeroBufferException>(() => new Reader(name, new BufferConfig(0, BufferConfig.MaxSize)));
        Assert.Equal("Internal", error.Kind);
        Assert.Contains("shared memory", error.Message, StringComparison.Ordinal);
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Fact]
    public void Objects_are_created_with_mode_0600_by_default()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 64));
        foreach (string path in TestEnvironment.AllPaths(name))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_configured_mode_is_applied_exactly_whatever_the_umask()
    {
        string name = TestEnvironment.UniqueName();
        const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        using var reader = new Reader(name, new BufferConfig(0, 64) { Mode = Mode });
        Assert.Equal(Mode, reader.Mode);
        foreach (string path in TestEnvironment.AllPaths(name))
        {
            Assert.Equal(Mode, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Mode_bits_beyond_0777_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferConfig(0, 64) { Mode = UnixFileMode.SetUser | UnixFileMode.UserRead });
    }
}
