export { buildRetrieveRequest, parseRetrieveResponse, retrieveDocument, type DocumentRequest, type RetrievedDocument, type RetrieveResult } from './retrieve.js';
export { checkRetrievedDocument, isVerifiable, type ExpectedDocument } from './integrity.js';
export { hasSignatureOf, retrieveOriginalDocument, unwrapOriginalDocument, type RetrievedOriginalDocument, type UnwrappedDocument } from './orcd.js';
