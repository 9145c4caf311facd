// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Workloads.Tests.Properties;

[Trait("Category", "Property")]
public sealed class AddressMapProperties
{
    /// <summary>Operations: (0 = set, 1 = remove, 2 = get, 3 = add unless present) on keys from a small pool, so collisions, growth and backward shifts happen.</summary>
    private static Arbitrary<(int Op, int Key, int Value)[]> Operations =>
        (from op in Gen.Choose(0, 3)
         from key in Gen.Frequency((3, Gen.Choose(1, 64)), (1, Gen.Choose(1, 5000)))
         from value in Gen.Choose(0, 1000)
         select (op, key, value)).ArrayOf().ToArbitrary();

    [Property(MaxTest = 300)]
    public Property AddressMap_BehavesLikeDictionary() =>
        Prop.ForAll(Operations, ops =>
        {
            var map = new AddressMap(4);
            var model = new Dictionary<ulong, ulong>();
            foreach ((int op, int k, int v) in ops)
            {
                ulong key = (ulong)k * 16;
                switch (op)
                {
                    case 0:
                        bool existed = map.Set(key, (ulong)v, out ulong oldValue);
                        if (existed != model.ContainsKey(key) || (existed && oldValue != model[key]))
                        {
                            return false;
                        }

                        model[key] = (ulong)v;
                        break;
                    case 1:
                        if (map.Remove(key, out ulong removed) != model.Remove(key, out ulong expected) || removed != expected)
                        {
                            return false;
                        }

                        break;
                    case 3:
                        bool present = map.TryAdd(key, (ulong)v, out ulong existing);
                        if (present != model.ContainsKey(key) || (present && existing != model[key]))
                        {
                            return false;
                        }

                        if (!present)
                        {
                            model[key] = (ulong)v;
                        }

                        break;
                    default:
                        bool found = map.TryGetValue(key, out ulong value);
                        if (found != model.TryGetValue(key, out ulong m) || (found && value != m))
                        {
                            return false;
                        }

                        break;
                }
            }

            return map.Count == model.Count
                && model.All(kv => map.TryGetValue(kv.Key, out ulong v) && v == kv.Value)
                && map.ToArray().Length == model.Count;
        });

    [Property(MaxTest = 200)]
    public Property TryAdd_SameHistoryAsSet_SameOrder() =>
        Prop.ForAll(Operations, ops =>
        {
            // CallResolver adds with TryAdd where the replay used to Set: the tables (and so the drain order) must match.
            var viaSet = new AddressMap(4);
            var viaTryAdd = new AddressMap(4);
            foreach ((int op, int k, int v) in ops)
            {
                ulong key = (ulong)k * 16;
                if (op == 1)
                {
                    viaSet.Remove(key, out _);
                    viaTryAdd.Remove(key, out _);
                }
                else if (op != 2)
                {
                    viaSet.Set(key, (ulong)v, out _);
                    viaTryAdd.TryAdd(key, (ulong)v, out _);
                }
            }

            return viaSet.ToArray().Select(e => e.Key).SequenceEqual(viaTryAdd.ToArray().Select(e => e.Key));
        });
}
