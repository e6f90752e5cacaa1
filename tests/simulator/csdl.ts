/**
 * A small reader for the Graph v1.0 CSDL ($metadata) and a checker for JSON bodies against it:
 * property names (with BaseType inheritance), primitive JSON types, nested complex/entity values
 * (honouring @odata.type for derived types) and bound action parameters.
 *
 * Reusable: the gateway engineer can check the bodies CaseRoom sends with `checkActionBody`
 * and entity payloads with `checkEntity`. The file is large (3.5 MB); `loadCsdl` parses it once
 * per process with a streaming-style regular expression scan (no XML DOM).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const DEFAULT_CSDL_PATH = path.resolve(__dirname, '../../../shared/graph/v1.0-metadata.xml');

export interface CsdlProperty {
  name: string;
  /** Fully qualified, e.g. "Edm.String", "microsoft.graph.identitySet", "Collection(Edm.String)". */
  type: string;
  nullable: boolean;
  navigation: boolean;
}

export interface CsdlStructuredType {
  name: string;
  kind: 'entity' | 'complex';
  baseType: string | null;
  abstract: boolean;
  openType: boolean;
  properties: Map<string, CsdlProperty>;
}

export interface CsdlAction {
  name: string;
  bindingType: string;
  parameters: Map<string, CsdlProperty>;
}

export interface CsdlModel {
  types: Map<string, CsdlStructuredType>;
  enums: Set<string>;
  typeDefinitions: Map<string, string>;
  actions: CsdlAction[];
}

const TAG = /<(\/?)(Schema|EntityType|ComplexType|EnumType|Property|NavigationProperty|Action|Function|Parameter|TypeDefinition)\b([^>]*?)(\/?)>/g;
const ATTRIBUTE = /(\w+)="([^"]*)"/g;

function attributes(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of text.matchAll(ATTRIBUTE)) result[match[1]] = match[2];
  return result;
}

export function parseCsdl(xml: string): CsdlModel {
  const model: CsdlModel = { types: new Map(), enums: new Set(), typeDefinitions: new Map(), actions: [] };
  let namespace = '';
  let aliases = new Map<string, string>();
  const allAliases = new Map<string, string>();
  let currentType: CsdlStructuredType | null = null;
  let currentAction: CsdlAction | null = null;
  let bindingSeen = false;
  // Aliases are resolved after the scan: collect raw names first.
  const pendingTypes: Array<() => void> = [];
  const qualify = (raw: string, currentAliases: Map<string, string>) => {
    const collection = /^Collection\((.+)\)$/.exec(raw);
    const inner = collection ? collection[1] : raw;
    const dot = inner.lastIndexOf('.');
    const prefix = inner.slice(0, dot);
    const resolved = currentAliases.get(prefix) ?? allAliases.get(prefix) ?? prefix;
    const full = dot > 0 ? `${resolved}.${inner.slice(dot + 1)}` : inner;
    return collection ? `Collection(${full})` : full;
  };
  for (const match of xml.matchAll(TAG)) {
    const [, closing, tag, attributeText, selfClosing] = match;
    if (closing) {
      if (tag === 'EntityType' || tag === 'ComplexType') currentType = null;
      if (tag === 'Action' || tag === 'Function') currentAction = null;
      continue;
    }
    const attrs = attributes(attributeText);
    const localAliases = aliases;
    switch (tag) {
      case 'Schema':
        namespace = attrs.Namespace;
        aliases = new Map([[attrs.Alias ?? namespace, namespace]]);
        if (attrs.Alias) allAliases.set(attrs.Alias, namespace);
        break;
      case 'EntityType':
      case 'ComplexType': {
        const type: CsdlStructuredType = {
          name: `${namespace}.${attrs.Name}`,
          kind: tag === 'EntityType' ? 'entity' : 'complex',
          baseType: null,
          abstract: attrs.Abstract === 'true',
          openType: attrs.OpenType === 'true',
          properties: new Map(),
        };
        const rawBase = attrs.BaseType;
        if (rawBase) pendingTypes.push(() => (type.baseType = qualify(rawBase, localAliases)));
        model.types.set(type.name, type);
        currentType = selfClosing ? null : type;
        break;
      }
      case 'EnumType':
        model.enums.add(`${namespace}.${attrs.Name}`);
        break;
      case 'TypeDefinition':
        model.typeDefinitions.set(`${namespace}.${attrs.Name}`, attrs.UnderlyingType);
        break;
      case 'Property':
      case 'NavigationProperty': {
        if (!currentType) break;
        const property: CsdlProperty = { name: attrs.Name, type: attrs.Type, nullable: attrs.Nullable !== 'false', navigation: tag === 'NavigationProperty' };
        pendingTypes.push(() => (property.type = qualify(property.type, localAliases)));
        currentType.properties.set(property.name, property);
        break;
      }
      case 'Action':
        currentAction = attrs.IsBound === 'true' ? { name: attrs.Name, bindingType: '', parameters: new Map() } : null;
        bindingSeen = false;
        if (currentAction) model.actions.push(currentAction);
        break;
      case 'Function':
        currentAction = null;
        break;
      case 'Parameter': {
        if (!currentAction) break;
        const action = currentAction;
        if (!bindingSeen) {
          bindingSeen = true;
          pendingTypes.push(() => (action.bindingType = qualify(attrs.Type, localAliases)));
          break;
        }
        const parameter: CsdlProperty = { name: attrs.Name, type: attrs.Type, nullable: attrs.Nullable !== 'false', navigation: false };
        pendingTypes.push(() => (parameter.type = qualify(parameter.type, localAliases)));
        action.parameters.set(parameter.name, parameter);
        break;
      }
    }
  }
  for (const resolve of pendingTypes) resolve();
  return model;
}

const cache = new Map<string, CsdlModel>();

export function loadCsdl(file = DEFAULT_CSDL_PATH): CsdlModel {
  let model = cache.get(file);
  if (!model) {
    model = parseCsdl(readFileSync(file, 'utf8'));
    cache.set(file, model);
  }
  return model;
}

export function qualifiedName(typeName: string): string {
  return typeName.includes('.') ? typeName.replace(/^graph\./, 'microsoft.graph.').replace(/^#/, '') : `microsoft.graph.${typeName}`;
}

/** Properties of a type including those inherited through BaseType. */
export function allProperties(model: CsdlModel, typeName: string): Map<string, CsdlProperty> {
  const chain: CsdlStructuredType[] = [];
  let current = model.types.get(qualifiedName(typeName));
  while (current) {
    chain.unshift(current);
    current = current.baseType ? model.types.get(current.baseType) : undefined;
  }
  const result = new Map<string, CsdlProperty>();
  for (const type of chain) for (const [name, property] of type.properties) result.set(name, property);
  return result;
}

function derivesFrom(model: CsdlModel, typeName: string, ancestor: string): boolean {
  let current = model.types.get(typeName);
  while (current) {
    if (current.name === ancestor) return true;
    current = current.baseType ? model.types.get(current.baseType) : undefined;
  }
  return false;
}

export interface CheckOptions {
  /**
   * Open types accept any property in OData, which would hide typos; the checker is strict and
   * allows only these dynamic properties Graph really returns (type → names, inherited).
   */
  dynamicProperties?: Record<string, string[]>;
}

const DEFAULT_DYNAMIC: Record<string, string[]> = {
  // Graph returns the e-mail of users in identitySets (createdBy, grantedToV2.user), undeclared.
  'microsoft.graph.identity': ['email'],
};

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isAnnotation(key: string): boolean {
  return key.startsWith('@') || key.includes('@');
}

function checkValue(model: CsdlModel, type: string, value: unknown, at: string, options: CheckOptions, errors: string[]): void {
  if (value === null) return;
  const collection = /^Collection\((.+)\)$/.exec(type);
  if (collection) {
    if (!Array.isArray(value)) errors.push(`${at}: expected a collection of ${collection[1]}, got ${typeof value}`);
    else value.forEach((entry, index) => checkValue(model, collection[1], entry, `${at}[${index}]`, options, errors));
    return;
  }
  const underlying = model.typeDefinitions.get(type);
  if (underlying) return checkValue(model, underlying, value, at, options, errors);
  if (model.enums.has(type)) {
    if (typeof value !== 'string') errors.push(`${at}: expected an enum member of ${type} as a string`);
    return;
  }
  switch (type) {
    case 'Edm.String':
    case 'Edm.Guid':
    case 'Edm.Date':
    case 'Edm.TimeOfDay':
    case 'Edm.Duration':
    case 'Edm.Binary':
    case 'Edm.Stream':
      if (typeof value !== 'string') errors.push(`${at}: expected ${type} (string), got ${typeof value}`);
      return;
    case 'Edm.DateTimeOffset':
      if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) errors.push(`${at}: expected an ISO 8601 Edm.DateTimeOffset, got ${JSON.stringify(value)}`);
      return;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') errors.push(`${at}: expected Edm.Boolean, got ${typeof value}`);
      return;
    case 'Edm.Byte':
    case 'Edm.SByte':
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
      if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(`${at}: expected ${type} (integer), got ${JSON.stringify(value)}`);
      return;
    case 'Edm.Single':
    case 'Edm.Double':
    case 'Edm.Decimal':
      if (typeof value !== 'number' && !['NaN', 'INF', '-INF'].includes(String(value))) errors.push(`${at}: expected ${type} (number)`);
      return;
    case 'Edm.Untyped':
      return;
  }
  if (model.types.has(type)) {
    checkObject(model, type, value, at, options, errors);
    return;
  }
  errors.push(`${at}: unknown type ${type} in the CSDL`);
}

function checkObject(model: CsdlModel, declaredType: string, value: unknown, at: string, options: CheckOptions, errors: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(`${at}: expected an object of type ${declaredType}`);
    return;
  }
  const record = value as Record<string, unknown>;
  let type = declaredType;
  const odataType = record['@odata.type'];
  if (typeof odataType === 'string') {
    const actual = qualifiedName(odataType);
    if (!model.types.has(actual)) errors.push(`${at}: @odata.type ${odataType} is not a type of the CSDL`);
    else if (!derivesFrom(model, actual, declaredType)) errors.push(`${at}: @odata.type ${odataType} does not derive from ${declaredType}`);
    else type = actual;
  }
  const properties = allProperties(model, type);
  const dynamic = new Set<string>();
  const dynamicTable = { ...DEFAULT_DYNAMIC, ...options.dynamicProperties };
  for (let current = model.types.get(type); current; current = current.baseType ? model.types.get(current.baseType) : undefined) {
    for (const name of dynamicTable[current.name] ?? []) dynamic.add(name);
  }
  for (const [key, entry] of Object.entries(record)) {
    if (isAnnotation(key)) continue;
    const property = properties.get(key);
    if (!property) {
      if (!dynamic.has(key)) errors.push(`${at}.${key}: '${key}' is not a property of ${type}`);
      continue;
    }
    if (entry === null && !property.nullable) errors.push(`${at}.${key}: null for a non-nullable property`);
    checkValue(model, property.type, entry, `${at}.${key}`, options, errors);
  }
}

/** Errors (empty when conformant) for a JSON object claimed to be of `typeName` (e.g. "driveItem"). */
export function checkEntity(model: CsdlModel, typeName: string, value: unknown, options: CheckOptions = {}): string[] {
  const type = qualifiedName(typeName);
  if (!model.types.has(type)) return [`${typeName}: not a type of the CSDL`];
  const errors: string[] = [];
  checkObject(model, type, value, typeName, options, errors);
  return errors;
}

/** Errors for the body of a bound action, e.g. ("invite", "driveItem", {...}). */
export function checkActionBody(model: CsdlModel, actionName: string, bindingTypeName: string, body: unknown, options: CheckOptions = {}): string[] {
  const bindingType = qualifiedName(bindingTypeName);
  const action = model.actions.find((candidate) => candidate.name === actionName && candidate.bindingType === bindingType);
  if (!action) return [`${actionName}: no action bound to ${bindingType} in the CSDL`];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [`${actionName}: the body must be a JSON object`];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (isAnnotation(key)) continue;
    const parameter = action.parameters.get(key);
    if (!parameter) {
      errors.push(`${actionName}.${key}: '${key}' is not a parameter of ${actionName} bound to ${bindingTypeName}`);
      continue;
    }
    checkValue(model, parameter.type, value, `${actionName}.${key}`, options, errors);
  }
  for (const parameter of action.parameters.values()) {
    if (!parameter.nullable && !(parameter.name in (body as Record<string, unknown>))) errors.push(`${actionName}.${parameter.name}: required parameter missing`);
  }
  return errors;
}
