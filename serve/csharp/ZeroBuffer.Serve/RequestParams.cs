using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace ZeroBuffer.Serve;

/// <summary>
/// Typed access to a request's <c>params</c> object. A missing required parameter or one of
/// the wrong JSON type is an invalid-params error (-32602); values are not judged here.
/// </summary>
internal readonly struct RequestParams
{
    private readonly JsonElement _params;
    private readonly bool _present;

    public RequestParams(JsonElement? parameters)
    {
        if (parameters is { } element && element.ValueKind != JsonValueKind.Null)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw RpcException.Params("params must be an object");
            }

            _params = element;
            _present = true;
        }
        else
        {
            _present = false;
        }
    }

    public bool Has(string name) => TryGet(name, out _);

    public string String(string name) => OptionalString(name) ?? throw Missing(name);

    public string? OptionalString(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongType(name, "a string");
    }

    /// <summary>A required non-negative integer (sizes, counts); values beyond long range are clamped.</summary>
    public long Integer(string name) => OptionalInteger(name) ?? throw Missing(name);

    /// <summary>An optional non-negative integer with a default.</summary>
    public long Integer(string name, long defaultValue) => OptionalInteger(name) ?? defaultValue;

    /// <summary>
    /// An optional non-negative integer that fits in 64 bits (<c>5</c> and <c>5.0</c> alike).
    /// Values above <see cref="long.MaxValue"/> are passed on as <see cref="long.MaxValue"/>:
    /// no buffer or count can be that large, so the library's answer does not change.
    /// </summary>
    public long? OptionalInteger(string name, ulong maximum = ulong.MaxValue)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        ulong number;
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(name, "a non-negative integer");
        }

        if (!value.TryGetUInt64(out number))
        {
            if (!value.TryGetDouble(out double real) || real < 0 || real >= 18446744073709551616.0 || Math.Floor(real) != real)
            {
                throw WrongType(name, "a non-negative integer");
            }

            number = (ulong)real;
        }

        if (number > maximum)
        {
            throw WrongType(name, $"an integer of at most {maximum}");
        }

        return number > long.MaxValue ? long.MaxValue : (long)number;
    }

    /// <summary>An optional integer of any sign and size, reduced modulo 251 (the pattern seed).</summary>
    public long? OptionalSeed(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(name, "an integer");
        }

        BigInteger seed;
        if (value.TryGetInt64(out long small))
        {
            seed = small;
        }
        else if (!BigInteger.TryParse(value.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
        {
            if (!value.TryGetDouble(out double real) || Math.Floor(real) != real || double.IsInfinity(real))
            {
                throw WrongType(name, "an integer");
            }

            seed = new BigInteger(real);
        }

        return (long)(((seed % 251) + 251) % 251);
    }

    public long Seed(string name) => OptionalSeed(name) ?? 0;

    public bool Boolean(string name, bool defaultValue)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return defaultValue;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "a boolean"),
        };
    }

    public List<long>? OptionalIntegerArray(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(name, "an array of integers");
        }

        var list = new List<long>(value.GetArrayLength());
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetUInt64(out ulong number))
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double real) || real < 0
                    || real >= 18446744073709551616.0 || Math.Floor(real) != real)
                {
                    throw WrongType(name, "an array of non-negative integers");
                }

                number = (ulong)real;
            }

            list.Add(number > long.MaxValue ? long.MaxValue : (long)number);
        }

        return list;
    }

    /// <summary>A duration in milliseconds, at most 2147483647 ms.</summary>
    public TimeSpan Milliseconds(string name, long defaultValue) =>
        TimeSpan.FromMilliseconds(Math.Min(int.MaxValue, Integer(name, defaultValue)));

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return _present && _params.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private static RpcException Missing(string name) => RpcException.Params($"missing parameter \"{name}\"");

    private static RpcException WrongType(string name, string expected) => RpcException.Params($"parameter \"{name}\" must be {expected}");
}
