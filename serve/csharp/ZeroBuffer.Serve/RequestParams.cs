using System;
using System.Collections.Generic;
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

    public long Integer(string name) => OptionalInteger(name) ?? throw Missing(name);

    public long Integer(string name, long defaultValue) => OptionalInteger(name) ?? defaultValue;

    public long? OptionalInteger(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : throw WrongType(name, "an integer");
    }

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
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number))
            {
                throw WrongType(name, "an array of integers");
            }

            list.Add(number);
        }

        return list;
    }

    /// <summary>A duration in milliseconds; negative values mean "do not wait".</summary>
    public TimeSpan Milliseconds(string name, long defaultValue) =>
        TimeSpan.FromMilliseconds(Math.Max(0, Integer(name, defaultValue)));

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return _present && _params.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private static RpcException Missing(string name) => RpcException.Params($"missing parameter \"{name}\"");

    private static RpcException WrongType(string name, string expected) => RpcException.Params($"parameter \"{name}\" must be {expected}");
}
