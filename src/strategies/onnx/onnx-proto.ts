import protobuf from 'protobufjs/light.js';

/**
 * The slice of `onnx.proto` (package `onnx`, proto2) that this toolkit writes and reads,
 * declared by hand so that no `.proto` file or code generator is needed at run time. Field
 * numbers are those of onnx/onnx `onnx/onnx.proto`; fields left out are skipped on decode.
 *
 * `ModelHeader` is not an ONNX message: it reads only `ir_version` and `metadata_props` of a
 * `ModelProto`, so that checking a model's metadata never decodes its weights.
 *
 * @example
 * const bytes = onnxProto.lookupType('onnx.ModelProto').encode(model).finish();
 */
export const onnxProto: protobuf.Root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            producer_name: { type: 'string', id: 2 },
            producer_version: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            model_version: { type: 'int64', id: 5 },
            doc_string: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        ModelHeader: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            doc_string: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            data_type: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            raw_data: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
          },
        },
        TypeProto: {
          fields: {
            tensor_type: { type: 'TypeProtoTensor', id: 1 },
          },
        },
        // TypeProto.Tensor, flattened: nesting changes no byte on the wire.
        TypeProtoTensor: {
          fields: {
            elem_type: { type: 'int32', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'TensorShapeDimension', id: 1 },
          },
        },
        // TensorShapeProto.Dimension, flattened; dim_value and dim_param form a oneof in ONNX.
        TensorShapeDimension: {
          fields: {
            dim_value: { type: 'int64', id: 1 },
            dim_param: { type: 'string', id: 2 },
          },
        },
      },
    },
  },
});

/** `TensorProto.DataType.FLOAT`, the only element type the writer emits. */
export const ONNX_FLOAT = 1;

/** `AttributeProto.AttributeType` values the writer uses. */
export const AttributeType = { Float: 1, Int: 2 } as const;
